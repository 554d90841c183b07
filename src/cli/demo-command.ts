import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { DEMO_API_KEY, DEMO_SEGMENTS, DEMO_STATUSES, demoLists } from '../sim/demo-data.js';
import { QuestionProSimulator } from '../sim/server.js';
import { listsFor, type RunReport } from '../sync/run-sync.js';
import { openRuntime, type Runtime } from './runtime.js';

/**
 * `npm run demo`: no credentials, no network. Starts the built-in QuestionPro
 * simulator on 127.0.0.1 and (without DATABASE_URL) an embedded PostgreSQL with its
 * data in .data/, runs one sync through the real pipeline and prints what it did.
 * `--keep-db` leaves the database running for psql until Ctrl-C.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'keep-db': { type: 'boolean' } }, strict: true });
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY, lists: demoLists() });
  // The demo only ever talks to the simulator, whatever .env says about QuestionPro.
  const config = loadConfig({
    ...process.env,
    QUESTIONPRO_API_KEY: DEMO_API_KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
    SYNC_STATUSES: DEMO_STATUSES.join(','),
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
  });
  const log = createLogger({ level: config.logLevel });
  let runtime: Runtime | undefined;
  try {
    runtime = await openRuntime(config, log, { embeddedIsExpected: true });
    const report = await runtime.sync('demo', listsFor(config.sync.segments, config.sync.statuses, config.questionpro.pageSize));
    const [{ total }] = await runtime.db.$queryRaw<[{ total: number }]>`SELECT count(*)::int AS total FROM detractor_tickets`;
    printSummary(report, total, sim.baseUrl);
    printConnectionHelp(runtime, Boolean(values['keep-db']));
    if (values['keep-db'] && runtime.embedded) await waitForCtrlC();
    return report.status === 'succeeded' ? 0 : 1;
  } finally {
    await runtime?.close();
    await sim.close();
  }
}

function printSummary(report: RunReport, totalInDb: number, baseUrl: string): void {
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
  }));
  console.log(`\ndetractor-sync demo: run ${report.runId} against the simulator at ${baseUrl}`);
  console.table(rows);
  const sum = (pick: (l: RunReport['lists'][number]) => number) => report.lists.reduce((n, l) => n + pick(l), 0);
  console.log(
    `run ${report.status} in ${(report.durationMs / 1000).toFixed(2)} s: ${sum((l) => l.counts.ticketsSeen)} tickets read, ` +
      `${sum((l) => l.counts.ticketsInserted)} inserted, ${sum((l) => l.counts.ticketsUpdated)} updated, ` +
      `${sum((l) => l.counts.ticketsUnchanged)} unchanged; ${totalInDb} tickets in the database`,
  );
  const verified = report.lists.filter((l) => l.verified).length;
  console.log(
    `API calls spent: ${sum((l) => l.counts.apiCalls)} (${verified} of ${report.lists.length} lists verified, the others read once; ` +
      'a run that finds nothing changed costs one read of each list)',
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
