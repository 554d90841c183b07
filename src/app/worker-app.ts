import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { readListStates } from '../db/sql/list-state.js';
import { errorMessage, exitCodeFor, type SyncError } from '../errors.js';
import { listLabel, listsFor } from '../lists/list.js';
import { registerBudgetMetrics } from '../observability/budget-metrics.js';
import { SyncMetrics } from '../observability/metrics.js';
import { checkReadiness, defaultStaleAfterSeconds } from '../observability/readiness.js';
import { PAGE_RUNS, statusPage } from '../observability/status-page.js';
import { startStatusServer, type StatusServer } from '../observability/status-server.js';
import { HEARTBEAT_MS, removeWorkerState, writeWorkerState } from '../observability/worker-state.js';
import { SyncWorker } from '../scheduler/worker.js';
import { runLine } from './run-summary.js';
import { runVerdict } from './run-verdict.js';
import { openRuntime } from './runtime.js';
import { handleStopSignals } from './stop-signals.js';

/**
 * `npm start`: syncs on the schedule until SIGTERM/SIGINT, then exits 0. Serves the
 * status page (/), /healthz, /readyz and /metrics meanwhile, also while the database is
 * down. This function owns the worker's parts and the order they stop in. In a terminal
 * it prints a line per run (its pages at debug), never a live display: it runs for days.
 */
export async function runWorker(config: Config, log: Logger, terminal = process.stdout.isTTY === true): Promise<number> {
  const metrics = new SyncMetrics();
  // The database may be down at start: the worker keeps running and each run retries.
  const runtime = await openRuntime(config, log, {
    migrate: 'lazy',
    observers: {
      client: metrics.client,
      run: metrics.run,
      notification: (event, outcome) => metrics.notification(event, outcome),
    },
    pageLogLevel: terminal ? 'debug' : 'info',
  });
  const { db } = runtime.database;
  const lists = listsFor(config.sync.segments, config.sync.statuses, config.questionpro.pageSize);
  const staleAfterSeconds =
    config.status.staleAfterSeconds ?? (await defaultStaleAfterSeconds(config.schedule.cron, config.schedule.timezone));
  let firstSyncFinished = false;
  let seeded = false;
  // Open lists (tickets awaiting action) the budget deferred in the last run: a /readyz reason.
  let deferredOpenLists: string[] = [];
  registerBudgetMetrics(metrics.registry, () => runtime.budget.status());
  const readiness = () =>
    checkReadiness({
      db,
      lists,
      staleAfterSeconds,
      statusIntervalSeconds: config.sync.statusIntervalSeconds,
      firstSyncFinished,
      deferredOpenLists,
    });
  // Every list's series from the start, and /readyz's staleness judgement at each scrape.
  metrics.initLists(lists);
  metrics.watchFreshness(lists, readiness);

  // Set once the stop order exists; an operator's error (a database ahead of this build,
  // an edited migration, a bad setting) would fail every tick alike, so it stops the worker.
  let stopFor: ((error: unknown) => void) | undefined;
  const worker = new SyncWorker({
    ...config.schedule,
    log,
    onRunNotStarted: ({ error }) => {
      metrics.runNotStarted();
      if (exitCodeFor(error) === 2) stopFor?.(error);
    },
    runOnce: async (trigger, signal) => {
      await runtime.database.ensureMigrated();
      if (!seeded) {
        // From the database, so a restarted worker does not report 0 (stale) for every list.
        for (const state of await readListStates(db)) {
          if (state.lastSuccessAt) metrics.setLastSuccess(state.segmentId, state.status, state.lastSuccessAt);
        }
        seeded = true;
      }
      const report = await runtime.sync(trigger, lists, signal);
      firstSyncFinished = true;
      if (terminal) console.log(runLine(report));
      // The worker stays up: a key QuestionPro disabled or a segment's permission comes back
      // without a restart, and the page and /readyz keep showing the problem meanwhile.
      const { keyProblem } = runVerdict(report);
      if (keyProblem) {
        const { code, segmentId, status, answer, headline } = keyProblem;
        log.error({ code, segmentId, ticketStatus: status, answer, reason: headline }, 'api key refused');
      }
      deferredOpenLists = report.lists
        .filter((l) => l.code === 'BUDGET_DEFERRED' && config.sync.openStatuses.includes(l.status))
        .map(listLabel);
      return report;
    },
  });
  let server: StatusServer | undefined;
  if (config.status.port > 0) {
    server = await startStatusServer({
      host: config.status.host,
      port: config.status.port,
      metrics,
      log,
      // The report `npm run status` prints, for the key and budget this worker spends.
      statusPage: () =>
        statusPage(db, {
          runs: PAGE_RUNS,
          apiKey: config.questionpro.apiKey,
          budget: config.budget.calls,
          period: runtime.budget.period,
        }),
      readiness,
    });
  }
  // Where `healthcheck` finds this worker: its pid, the address its endpoint really got, a heartbeat.
  const stateFile = config.status.workerStateFile;
  const state = { pid: process.pid, endpoint: server ? { host: config.status.host, port: server.port } : undefined };
  const beat = () =>
    writeWorkerState(stateFile, state).catch((error: unknown) =>
      log.warn({ errMessage: errorMessage(error), file: stateFile }, 'worker state not written'),
    );
  await beat();
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
  return new Promise<number>((resolve) => {
    // The stop order: no new run, the run in progress winds down and is recorded, then
    // the endpoint (it answered meanwhile), the state file, the database last.
    let stopped: Promise<void> | undefined;
    const stop = (exitCode: number) =>
      (stopped ??= (async () => {
        clearInterval(heartbeat);
        await worker.stop();
        await server?.close();
        await removeWorkerState(stateFile);
        await runtime.close();
        log.info({ exitCode }, 'worker stopped');
        resolve(exitCode);
      })());
    handleStopSignals({
      log,
      timeoutMs: config.shutdownTimeoutMs,
      graceful: () => stop(0),
      forceful: async (reason) => {
        clearInterval(heartbeat);
        await runtime.activeRuns.abortAll(reason, log);
        await removeWorkerState(stateFile);
        await runtime.database.embedded?.stop();
      },
    });
    stopFor = (error) => {
      const { code } = error as SyncError;
      log.fatal({ code, errMessage: errorMessage(error) }, 'worker stopping: this needs an operator, retrying cannot fix it');
      void stop(2);
    };
    log.info({ staleAfterSeconds }, 'freshness bound for /readyz');
    worker.start();
  });
}
