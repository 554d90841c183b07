import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { listsFor } from '../lists/list.js';
import { SyncMetrics } from '../observability/metrics.js';
import { checkReadiness } from '../observability/readiness.js';
import { PAGE_RUNS, statusPage } from '../observability/status-page.js';
import { startStatusServer, type StatusServer } from '../observability/status-server.js';
import { DEMO_API_KEY, DEMO_SEGMENTS, DEMO_STATUSES } from '../sim/demo-data.js';
import type { Runtime } from './runtime.js';

/** The demo serves on this host only: its page is for the person who ran it. */
const DEMO_HOST = '127.0.0.1';
/** The demo's data is a day old at most when it is looked at: nothing is stale while it is served. */
const DEMO_STALE_AFTER_SECONDS = 86_400;

/**
 * `demo --serve`: the worker's status endpoint (the page at /, /healthz, /readyz,
 * /metrics) over the demo's database, so the page can be seen without an account. On
 * HTTP_PORT when it is free, else on a port the system picks (a worker may hold 8080).
 */
export async function serveDemoPage(runtime: Runtime, config: Config, log: Logger): Promise<StatusServer> {
  const { db } = runtime.database;
  const lists = listsFor(DEMO_SEGMENTS, DEMO_STATUSES, config.questionpro.pageSize);
  const options = {
    host: DEMO_HOST,
    metrics: new SyncMetrics(),
    log,
    statusPage: () =>
      statusPage(db, { runs: PAGE_RUNS, apiKey: DEMO_API_KEY, budget: config.budget.calls, period: runtime.budget.period }),
    readiness: () =>
      checkReadiness({
        db,
        lists,
        staleAfterSeconds: DEMO_STALE_AFTER_SECONDS,
        statusIntervalSeconds: config.sync.statusIntervalSeconds,
        firstSyncFinished: true,
      }),
  };
  try {
    return await startStatusServer({ ...options, port: config.status.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || config.status.port === 0) throw error;
    log.warn({ port: config.status.port }, 'HTTP_PORT is in use: the demo page takes a free port instead');
    return startStatusServer({ ...options, port: 0 });
  }
}

/** Where a person opens the served page. */
export function demoPageUrl(server: StatusServer): string {
  return `http://${DEMO_HOST}:${server.port}/`;
}

/**
 * Resolves at the first SIGINT or SIGTERM. Later ones are ignored rather than left to
 * kill the process mid-cleanup: npm forwards the signal the process group already got,
 * so Ctrl-C arrives twice, and the embedded database must still be stopped.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => resolve(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
