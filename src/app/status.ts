import type { StatusConfig } from '../config/command-configs.js';
import { EMBEDDED_DATA_DIR } from '../config/defaults.js';
import { createLogger } from '../logging/logger.js';
import { readStatusReport, type StatusReport } from '../observability/status-report.js';
import { openDatabase } from './open-database.js';

/**
 * `npm run status`: the status report of DATABASE_URL's database (or the embedded one
 * of .data/, read through the server a running demo or worker holds). Needs no API
 * credentials; with QUESTIONPRO_API_KEY, the budget shown is that key's.
 */
export async function readStatus(config: StatusConfig, options: { readonly runs: number }): Promise<StatusReport> {
  const database = await openDatabase(config, createLogger({ level: 'warn', pretty: false }), {
    embedded: 'share',
    // A brand-new database has no tables yet: apply the migrations rather than fail.
    migrate: 'now',
    migrations: config.migrations,
    poolMax: 2,
  });
  if (config.databaseUrl === undefined)
    console.error(`Database: the embedded PostgreSQL in ${EMBEDDED_DATA_DIR} (DATABASE_URL is not set)`);
  try {
    return await readStatusReport(database.db, {
      runs: options.runs,
      apiKey: config.apiKey,
      budget: config.budget.calls,
      period: { period: config.budget.period, periodStartDay: config.budget.periodStartDay, timezone: config.timezone },
    });
  } finally {
    await database.close();
  }
}
