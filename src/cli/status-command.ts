import { parseArgs } from 'node:util';
import { envSchema } from '../config/env-schema.js';
import { runningEmbeddedServer, startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { withSearchPath } from '../db/connection-url.js';
import { migrate } from '../db/migrate.js';
import { createDb } from '../db/prisma.js';
import { renderRows } from '../docs/result-table.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { CALL_DAYS, readStatusReport, type StatusReport } from '../observability/status-report.js';
import { EMBEDDED_DATA_DIR } from './runtime.js';

/** The variables status reads; it needs no API credentials and no segments. */
const statusEnv = envSchema.pick({
  API_CALL_BUDGET: true,
  API_BUDGET_PERIOD: true,
  API_BUDGET_PERIOD_START_DAY: true,
  SYNC_TIMEZONE: true,
  EMBEDDED_POSTGRES_PORT: true,
  DATABASE_SCHEMA: true,
});

/**
 * `npm run status [-- --json] [--runs N]`: the last runs, per segment × status the last
 * success, its age, tickets in the list and the last error, the open and overdue
 * detractors per segment, and the API calls of the budget period with their forecast
 * and per day. The worker's page at / shows the same report. Reads DATABASE_URL and
 * DATABASE_SCHEMA (or the embedded database in .data/); needs no API credentials (with QUESTIONPRO_API_KEY, the budget of that key).
 */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, runs: { type: 'string', default: '5' } },
    strict: true,
  });
  const parsed = statusEnv.safeParse(process.env);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  const env = parsed.data;
  const runs = Math.max(1, Math.min(100, Number(values.runs) || 5));
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env['DATABASE_URL']?.trim() || undefined;
  if (!url) {
    // The embedded database of .data/: the server a running demo or worker holds, or our own.
    const running = await runningEmbeddedServer(EMBEDDED_DATA_DIR);
    if (running) url = running.url;
    else {
      embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: env.EMBEDDED_POSTGRES_PORT });
      url = embedded.url;
    }
    console.error(`Database: the embedded PostgreSQL in ${EMBEDDED_DATA_DIR} (DATABASE_URL is not set)`);
  }
  url = withSearchPath(url, env.DATABASE_SCHEMA);
  const db = createDb(url, { max: 2 });
  try {
    // A brand-new database has no tables yet: apply the migrations rather than fail.
    await migrate(url, createLogger({ level: 'warn', pretty: false }));
    const report = await readStatusReport(db, {
      runs,
      apiKey: process.env['QUESTIONPRO_API_KEY']?.trim() || undefined,
      budget: env.API_CALL_BUDGET,
      period: { period: env.API_BUDGET_PERIOD, periodStartDay: env.API_BUDGET_PERIOD_START_DAY, timezone: env.SYNC_TIMEZONE },
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : renderReport(report, runs));
    return 0;
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function renderReport(report: StatusReport, runs: number): string {
  const table = (rows: ReadonlyArray<Record<string, unknown>>) => renderRows(rows, rows[0] ? Object.keys(rows[0]) : []);
  const parts = [
    `Last ${runs} runs`,
    table(report.runs),
    '',
    'Lists (segment x status)',
    // A terminal's width: long messages are cut here (--json and the worker's page have them whole).
    table(report.lists.map((l) => ({ ...l, last_error: l.last_error && cut(l.last_error, 80) }))),
    '',
    'Open detractors per segment (overdue: past their due time)',
    table(report.openTickets),
    '',
  ];
  const b = report.apiBudget;
  if (!b) parts.push('API calls: none recorded yet');
  else {
    const budget = b.budget === undefined ? 'no budget (API_CALL_BUDGET unset)' : `budget ${b.budget}, ${b.remaining} left`;
    parts.push(
      `API calls this ${b.period} (${b.periodStart.toISOString()} to ${b.periodEnd.toISOString()}): ${b.used} used, ${budget}`,
      `  pace ${b.pacePerHour} calls/h, projected at the period's end: ${b.projectedAtPeriodEnd}` +
        (b.budget !== undefined && b.projectedAtPeriodEnd > b.budget ? ' (over the budget: runs will be deferred)' : ''),
      `  by outcome: ${
        Object.entries(b.byOutcome)
          .map(([outcome, n]) => `${outcome} ${n}`)
          .join(', ') || 'none'
      }`,
      '',
      `API calls sent per day (the last ${CALL_DAYS} days of SYNC_TIMEZONE)`,
      table(b.callsPerDay),
    );
  }
  return parts.join('\n');
}
