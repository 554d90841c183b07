import pino from 'pino';
import { ApiBudget } from '../budget/api-budget.js';
import type { CostAssumptions } from '../budget/month-cost.js';
import type { CheckConfig } from '../config/command-configs.js';
import { secretsOf } from '../config/config.js';
import { readListStates } from '../db/sql/list-state.js';
import { listsFor } from '../lists/list.js';
import { createLogger } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ticksInMonth } from '../scheduler/cron-ticks.js';
import { createApiClient } from './api-client.js';
import { countLists } from './check-lists.js';
import { checkReport, type CheckReport } from './check-report.js';
import { openDatabase, type Database } from './open-database.js';
import { terminalLogDestination, withRunProgress, type TerminalOutput } from './terminal-progress.js';

/**
 * `npm run check`: the first command against a real account. One call per configured
 * list (page 1 at one ticket a page) verifies the key and the datacenter, names unknown
 * segments and learns each list's size; then what a month of the configured schedule
 * costs, against API_CALL_BUDGET and the licence allowances, and a schedule that fits.
 *
 * Needs no database. With DATABASE_URL the calls go through the call ledger like a
 * sync's (claimed first, so API_CALL_BUDGET and the shared rate limit hold, and
 * `npm run status` and the budget's forecast count them); the database is migrated
 * first, as `status` does, since the ledger lives in it. Without DATABASE_URL the
 * embedded PostgreSQL is never started: the check must not leave a .data/ behind.
 */
export async function checkAccount(
  config: CheckConfig,
  assumptions: CostAssumptions,
  output?: TerminalOutput,
): Promise<CheckReport> {
  const redactor = new SecretRedactor(secretsOf(config));
  // Logs (retries, failures) on stderr: stdout holds the report, or only JSON with --json.
  // In a terminal showing progress they are readable lines printed above it.
  const log = createLogger({
    level: config.logLevel ?? 'warn',
    redactor,
    ...(terminalLogDestination(output) ?? { pretty: false, destination: pino.destination({ dest: 2, sync: true }) }),
  });
  const database = config.databaseUrl === undefined ? undefined : await openLedgerDatabase(config, config.databaseUrl);
  const budget = database && new ApiBudget(database.db, config, log);
  try {
    const lists = listsFor(config.sync.segments, config.sync.statuses, 1);
    const counts = await withRunProgress(output, config, lists, (watch) => {
      const client = createApiClient(config, log, budget, { redactor, observer: watch?.client });
      return countLists(client, lists, { concurrency: config.sync.concurrency, log, observer: watch?.run });
    });
    const states = database ? await readListStates(database.db) : [];
    const ticksPerMonth = await ticksInMonth(config.schedule.cron, config.schedule.timezone);
    return checkReport(config, { counts, states, ticksPerMonth, callsRecorded: database !== undefined }, assumptions);
  } finally {
    await budget?.close();
    await database?.close();
  }

  async function openLedgerDatabase(c: CheckConfig, databaseUrl: string): Promise<Database> {
    // A URL is given, so the embedded server (and its port) never comes into it.
    return openDatabase({ databaseUrl, databaseSchema: c.databaseSchema, embeddedPostgresPort: 0 }, log, {
      embedded: 'warn',
      migrate: 'now',
      migrations: c.migrations,
      poolMax: 2,
    });
  }
}
