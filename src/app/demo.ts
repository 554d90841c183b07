import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../config/config.js';
import type { Db } from '../db/prisma.js';
import { demoTotals, firstDemoRun } from '../db/sql/demo.js';
import { listsFor } from '../lists/list.js';
import { createLogger } from '../logging/logger.js';
import {
  DEMO_API_KEY,
  DEMO_OPEN_STATUS,
  DEMO_SEGMENT_NAMES,
  DEMO_SEGMENTS,
  DEMO_STATUS_LABELS,
  DEMO_STATUSES,
} from '../sim/demo-data.js';
import { runDemoScenario } from '../sim/demo-scenario.js';
import { QuestionProSimulator } from '../sim/server.js';
import type { RunReport } from '../sync/run-sync.js';
import { demoPageUrl, serveDemoPage, waitForStopSignal } from './demo-serve.js';
import { printConnectionHelp, printDemoSummary } from './demo-summary.js';
import { openRuntime, type Runtime } from './runtime.js';
import { pageLogLevel, terminalLogDestination, withRunProgress, type TerminalOutput } from './terminal-progress.js';

/**
 * The demo's configuration: the simulator's account, whatever .env says about
 * QuestionPro (the demo only ever talks to the simulator) and no notifications; the
 * database and the log level as configured.
 */
export function demoConfig(baseUrl: string, env: NodeJS.ProcessEnv = process.env) {
  return loadConfig({
    ...env,
    QUESTIONPRO_API_KEY: DEMO_API_KEY,
    QUESTIONPRO_BASE_URL: baseUrl,
    SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
    SYNC_STATUSES: DEMO_STATUSES.join(','),
    SYNC_SEGMENT_NAMES: DEMO_SEGMENT_NAMES,
    SYNC_STATUS_LABELS: DEMO_STATUS_LABELS,
    LOG_LEVEL: env['LOG_LEVEL'] ?? 'warn',
    // The team's channel hears of the real account only, never of the simulator's.
    NOTIFY_WEBHOOK_URL: '',
  });
}

/** Syncs the demo scenario (src/sim/demo-scenario.ts) through the runtime: what `demo` and `docs` both do. */
export async function syncDemoAccount(
  sim: QuestionProSimulator,
  runtime: Runtime,
  config: Config,
  output?: TerminalOutput,
): Promise<{ reports: RunReport[]; anchor: Date; fresh: boolean }> {
  const lists = listsFor(DEMO_SEGMENTS, DEMO_STATUSES, config.questionpro.pageSize);
  const { anchor, fresh } = await readDemoAnchor(runtime.database.db);
  const sync = () => withRunProgress(output, config, lists, (watch) => runtime.sync('demo', lists, undefined, watch));
  const reports = await runDemoScenario(sim, { anchor, fresh, sync });
  return { reports, anchor, fresh };
}

/**
 * `npm run demo`: no credentials, no network. Starts the built-in QuestionPro
 * simulator on 127.0.0.1 and (without DATABASE_URL) an embedded PostgreSQL with its
 * data in .data/, runs the demo scenario through the real pipeline and prints what it
 * did: on a fresh database two syncs, the account and then the account after some
 * tickets were closed; on a rerun one sync, which finds nothing changed. `keepDb` leaves
 * the database running for psql until Ctrl-C; `serve` also serves the worker's status
 * page from it on 127.0.0.1 until Ctrl-C. Either way the embedded database is stopped
 * at the end, so a later `npm start` finds .data/ free.
 */
export async function runDemo(options: {
  readonly keepDb: boolean;
  readonly serve?: boolean;
  readonly output?: TerminalOutput;
}): Promise<number> {
  // Without lists: the scenario sets them, dated from the anchor.
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY });
  const config = demoConfig(sim.baseUrl);
  const { output } = options;
  const log = createLogger({ level: config.logLevel, ...terminalLogDestination(output) });
  let runtime: Runtime | undefined;
  try {
    runtime = await openRuntime(config, log, { embedded: 'expected', pageLogLevel: pageLogLevel(output) });
    const { reports, anchor, fresh } = await syncDemoAccount(sim, runtime, config, output);
    printDemoSummary(reports, await demoTotals(runtime.database.db, DEMO_OPEN_STATUS), { baseUrl: sim.baseUrl, anchor, fresh });
    const succeeded = reports.every((r) => r.status === 'succeeded');
    const waits = options.serve === true || (options.keepDb && runtime.database.embedded !== undefined);
    printConnectionHelp(runtime.database, waits);
    if (!waits) return succeeded ? 0 : 1;
    const server = options.serve ? await serveDemoPage(runtime, config, log) : undefined;
    if (server) console.log(`\nThe status page of the demo's database: ${demoPageUrl(server)} (until Ctrl-C)`);
    await waitForStopSignal();
    await server?.close();
    return succeeded ? 0 : 1;
  } finally {
    await runtime?.close();
    await sim.close();
  }
}

const MINUTE_MS = 60_000;
// The first run starts (stamps started_at) milliseconds after the anchor is read; this
// close to a minute's end, the anchor waits for the next minute so both fall in one.
const MINUTE_END_GUARD_MS = 3_000;

/**
 * The demo's anchor: when its first run in this database started, to the minute, so a
 * rerun rebuilds exactly the data that run stored; on a database without demo runs, now
 * to the minute, read from the database's clock because that is what stamps the run.
 */
export async function readDemoAnchor(db: Db): Promise<{ anchor: Date; fresh: boolean }> {
  for (;;) {
    const { first, now } = await firstDemoRun(db);
    if (first) return { anchor: toMinute(first), fresh: false };
    const left = MINUTE_MS - (now.getTime() % MINUTE_MS);
    if (left > MINUTE_END_GUARD_MS) return { anchor: toMinute(now), fresh: true };
    await sleep(left);
  }
}

function toMinute(at: Date): Date {
  return new Date(at.getTime() - (at.getTime() % MINUTE_MS));
}
