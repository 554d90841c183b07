import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { DEMO_API_KEY, DEMO_SEGMENT_NAMES, DEMO_SEGMENTS, DEMO_STATUS_LABELS, DEMO_STATUSES } from '../sim/demo-data.js';
import { DEMO_CHANGE, runDemoScenario } from '../sim/demo-scenario.js';
import { QuestionProSimulator } from '../sim/server.js';
import { listsFor, type RunReport } from '../sync/run-sync.js';
import { readDemoAnchor, readDemoTotals, type DemoTotals } from './demo-database.js';
import { openRuntime, type Runtime } from './runtime.js';

/**
 * `npm run demo`: no credentials, no network. Starts the built-in QuestionPro
 * simulator on 127.0.0.1 and (without DATABASE_URL) an embedded PostgreSQL with its
 * data in .data/, runs the demo scenario (src/sim/demo-scenario.ts) through the real
 * pipeline and prints what it did: on a fresh database two syncs, the account and then
 * the account after some tickets were closed; on a rerun one sync, which finds nothing
 * changed. `--keep-db` leaves the database running for psql until Ctrl-C.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'keep-db': { type: 'boolean' } }, strict: true });
  // Without lists: the scenario sets them, dated from the anchor.
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY });
  // The demo only ever talks to the simulator, whatever .env says about QuestionPro.
  const config = loadConfig({
    ...process.env,
    QUESTIONPRO_API_KEY: DEMO_API_KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
    SYNC_STATUSES: DEMO_STATUSES.join(','),
    SYNC_SEGMENT_NAMES: DEMO_SEGMENT_NAMES,
    SYNC_STATUS_LABELS: DEMO_STATUS_LABELS,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
  });
  const log = createLogger({ level: config.logLevel });
  let runtime: Runtime | undefined;
  try {
    const opened = (runtime = await openRuntime(config, log, { embeddedIsExpected: true }));
    const lists = listsFor(config.sync.segments, config.sync.statuses, config.questionpro.pageSize);
    const { anchor, fresh } = await readDemoAnchor(opened.db);
    const reports = await runDemoScenario(sim, { anchor, fresh, sync: () => opened.sync('demo', lists) });
    printSummary(reports, await readDemoTotals(opened.db), { baseUrl: sim.baseUrl, anchor, fresh });
    printConnectionHelp(opened, Boolean(values['keep-db']));
    if (values['keep-db'] && opened.embedded) await waitForCtrlC();
    return reports.every((r) => r.status === 'succeeded') ? 0 : 1;
  } finally {
    await runtime?.close();
    await sim.close();
  }
}

function printSummary(
  reports: readonly RunReport[],
  totals: DemoTotals,
  { baseUrl, anchor, fresh }: { baseUrl: string; anchor: Date; fresh: boolean },
): void {
  const closed = DEMO_CHANGE.closedInTime + DEMO_CHANGE.closedLate;
  const change = `${closed} tickets closed and ${DEMO_CHANGE.arrivals} new in each of ${DEMO_SEGMENTS.length} segments`;
  console.log(`\ndetractor-sync demo against the simulator at ${baseUrl}, tickets dated up to ${anchor.toISOString()}`);
  console.log(
    fresh
      ? `A fresh database: two syncs, the account and then the account after a change (${change}).`
      : `The database holds the demo already: one sync of its account as it is after the change (${change}).`,
  );
  const labels = fresh ? ['before the change', 'after the change'] : ['the account after the change, again'];
  reports.forEach((report, i) => printRun(report, labels[i] ?? ''));
  console.log(
    `\n${totals.tickets} tickets in the database; open tickets: ${totals.open} (${totals.dueWithin24h} due within 24 h, ` +
      `${totals.overdue} overdue); closed since first sync: ${totals.closedInTime} in time, ${totals.closedLate} late`,
  );
  if (fresh) console.log('A run that finds nothing changed costs one read of each list: run the demo again to see it.');
}

function printRun(report: RunReport, label: string): void {
  const rows = report.lists.map((l) => ({
    segment: l.segmentId,
    status: l.status,
    outcome: l.outcome,
    passes: l.counts.passes,
    'api calls': l.counts.apiCalls,
    tickets: l.counts.ticketsSeen,
    inserted: l.counts.ticketsInserted,
    updated: l.counts.ticketsUpdated,
    unchanged: l.counts.ticketsUnchanged,
    gone: l.counts.ticketsGone,
  }));
  const sum = (pick: (l: RunReport['lists'][number]) => number) => report.lists.reduce((n, l) => n + pick(l), 0);
  const verified = report.lists.filter((l) => l.verified).length;
  console.log(`\nrun ${report.runId} (${label}):`);
  console.table(rows);
  console.log(
    `run ${report.status} in ${(report.durationMs / 1000).toFixed(2)} s: ${sum((l) => l.counts.ticketsSeen)} tickets read, ` +
      `${sum((l) => l.counts.ticketsInserted)} inserted, ${sum((l) => l.counts.ticketsUpdated)} updated, ` +
      `${sum((l) => l.counts.ticketsGone)} gone from their list; API calls: ${sum((l) => l.counts.apiCalls)} ` +
      `(${verified} of ${report.lists.length} lists verified, the others read once)`,
  );
}

function printConnectionHelp(runtime: Runtime, keep: boolean): void {
  if (!runtime.embedded) {
    console.log('\nData is in the database named by DATABASE_URL: psql "$DATABASE_URL"');
    return;
  }
  console.log(`\nData is kept in ${runtime.embedded.dataDir} (embedded PostgreSQL).`);
  const psql = `psql "${runtime.embedded.url}" -c 'SELECT * FROM sync_runs ORDER BY id DESC LIMIT 5'`;
  if (keep) console.log(`It runs until Ctrl-C; connect with:\n  ${psql}`);
  else console.log(`To explore it with psql, run \`npm run demo -- --keep-db\` and, while it waits:\n  ${psql}`);
}

function waitForCtrlC(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
