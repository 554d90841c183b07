import type { StatusConfig } from '../config/command-configs.js';
import { EMBEDDED_DATA_DIR } from '../config/defaults.js';
import { embeddedClusterExists, runningEmbeddedServer } from '../db/embedded-postgres.js';
import { PII_FREE_RELATIONS, PII_RELATIONS, INTERNAL_RELATIONS } from '../db/relation-privacy.js';
import { relationAccess, type RelationAccess } from '../db/sql/catalog.js';
import { BUDGET_REPORT_TABLES } from '../db/sql/ledger.js';
import { STATUS_VIEWS } from '../db/sql/status.js';
import { ConfigError, SyncError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { readStatusReport, type StatusReport } from '../observability/status-report.js';
import { renderStatusText } from '../observability/status-text.js';
import { openDatabase, unreachable, type Database } from './open-database.js';

/** The report, and what it could not show and why (in `--json` as `notes`). */
export interface StatusResult {
  readonly report: StatusReport;
  /** Why the report is empty: no sync has run yet. */
  readonly empty?: string;
  /** Why the API calls are missing: the role may not read the ledger. */
  readonly apiBudget?: string;
}

const EMPTY_REPORT: StatusReport = { runs: [], lists: [], openTickets: [], apiBudget: undefined };
const HOW_TO_SYNC = 'Run one with `npm run sync` (or start the worker, `npm start`): its first run creates them.';

/**
 * `npm run status`: the status report of DATABASE_URL's database (or the embedded one
 * of .data/, read through the server a running demo or worker holds). It only reads:
 * no migration, nothing created, so it works as the read-only role (`db:readonly-role
 * -- --no-pii` included) and says so when no sync has run yet or the schema is older
 * than this build. Needs no API credentials; with QUESTIONPRO_API_KEY, the budget shown
 * is that key's.
 */
export async function readStatus(config: StatusConfig, options: { readonly runs: number }): Promise<StatusResult> {
  if (config.databaseUrl === undefined) {
    console.error(`Database: the embedded PostgreSQL in ${EMBEDDED_DATA_DIR} (DATABASE_URL is not set)`);
    // Starting the embedded server on a folder without one would create it: nothing to report instead.
    if (!embeddedClusterExists(EMBEDDED_DATA_DIR) && !(await runningEmbeddedServer(EMBEDDED_DATA_DIR)))
      return {
        report: EMPTY_REPORT,
        empty: `No sync has run yet: there is no embedded database in ${EMBEDDED_DATA_DIR}. ${HOW_TO_SYNC}`,
      };
  }
  const database = await openDatabase(config, createLogger({ level: 'warn', pretty: false }), {
    embedded: 'share',
    // Never applied: status calls no ensureMigrated(), it only reads.
    migrate: 'lazy',
    poolMax: 2,
  });
  try {
    return await readReport(database, config, options);
  } catch (error) {
    throw unreachable(error, database.shownUrl);
  } finally {
    await database.close();
  }
}

async function readReport(database: Database, config: StatusConfig, options: { readonly runs: number }): Promise<StatusResult> {
  const where = `the database ${database.shownUrl} (schema ${config.databaseSchema})`;
  const known = [...PII_FREE_RELATIONS, ...PII_RELATIONS, ...INTERNAL_RELATIONS];
  const { role, relations } = await relationAccess(database.db, [
    ...new Set([...STATUS_VIEWS, ...BUDGET_REPORT_TABLES, ...known]),
  ]);
  const access = new Map(relations.map((r) => [r.name, r]));
  if (!relations.some((r) => r.present))
    return { report: EMPTY_REPORT, empty: `No sync has run yet: ${where} has none of detractor-sync's tables. ${HOW_TO_SYNC}` };
  checkViews(
    STATUS_VIEWS.map((name) => access.get(name)!),
    role,
    where,
  );
  const ledger = BUDGET_REPORT_TABLES.map((name) => access.get(name)!);
  const withApiBudget = ledger.every((r) => r.readable);
  const report = await readStatusReport(database.db, {
    runs: options.runs,
    apiKey: config.apiKey,
    budget: config.budget.calls,
    period: { period: config.budget.period, periodStartDay: config.budget.periodStartDay, timezone: config.timezone },
    withApiBudget,
  });
  if (withApiBudget) return { report };
  const names = ledger.filter((r) => !r.readable).map((r) => r.name);
  return {
    report,
    apiBudget:
      `API calls: not shown, role ${role} may not read ${names.join(', ')} ` +
      '(they hold call counts per key fingerprint, no personal data: `npm run db:readonly-role -- --no-pii`, run as the owner, grants them)',
  };
}

/** The report's views: missing ones mean a schema older than this build; unreadable ones, a role without the grant. */
function checkViews(views: readonly RelationAccess[], role: string, where: string): void {
  const missing = views.filter((v) => !v.present).map((v) => v.name);
  if (missing.length > 0)
    throw new SyncError(
      'MIGRATION_BEHIND',
      `${where} is older than this build: it lacks ${missing.join(', ')}. status only reads; ` +
        'the next `npm run sync` or worker start of this version applies the migrations',
      { fatal: true },
    );
  const refused = views.filter((v) => !v.readable).map((v) => v.name);
  if (refused.length > 0)
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        message:
          `its role ${role} may not read ${refused.join(', ')}: grant them with \`npm run db:readonly-role\` ` +
          '(run as the owner; -- --no-pii for a role without personal data), or connect as a role that may',
      },
    ]);
}

/** `npm run status` as it prints: the report as text or JSON, or why there is none. */
export async function showStatus(
  config: StatusConfig,
  options: { readonly runs: number; readonly json: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // `npm run status -- --json` without -s: npm prints its banner on stdout, before this JSON.
  if (options.json && env['npm_lifecycle_event'] && env['npm_config_loglevel'] !== 'silent')
    console.error('Note: npm printed its own lines above the JSON on stdout; for JSON alone run `npm run -s status -- --json`.');
  const result = await readStatus(config, options);
  if (options.json) {
    const notes = [result.empty, result.apiBudget].filter((n) => n !== undefined);
    console.log(JSON.stringify({ ...result.report, notes }, null, 2));
  } else console.log(result.empty ?? renderStatusText(result.report, options.runs, { apiBudget: result.apiBudget }));
  return 0;
}
