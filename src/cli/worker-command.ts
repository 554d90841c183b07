import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { SyncMetrics } from '../observability/metrics.js';
import { checkReadiness, defaultStaleAfterSeconds } from '../observability/readiness.js';
import { startStatusServer, type StatusServer } from '../observability/status-server.js';
import { SyncWorker } from '../scheduler/worker.js';
import { onShutdownSignal } from '../scheduler/signals.js';
import { listsFor } from '../sync/run-sync.js';
import { openRuntime, type Runtime } from './runtime.js';

/** The last successful sync of each list, from the database, so a restarted worker does not report 0. */
async function seedLastSuccess(runtime: Runtime, metrics: SyncMetrics): Promise<void> {
  const rows = await runtime.db.$queryRaw<Array<{ segment_id: bigint; status: number; finished_at: Date }>>`
    SELECT segment_id, status, max(finished_at) AS finished_at FROM sync_run_segments
    WHERE outcome = 'succeeded' GROUP BY segment_id, status`;
  for (const row of rows) metrics.setLastSuccess(Number(row.segment_id), row.status, row.finished_at);
}

/**
 * `npm start`: syncs on the schedule until SIGTERM/SIGINT, then exits 0. Serves
 * /healthz, /readyz and /metrics meanwhile, also while the database is down.
 */
export async function workerCommand(config: Config, log: Logger): Promise<number> {
  const metrics = new SyncMetrics();
  // The database may be down at start: the worker keeps running and each run retries.
  const runtime = await openRuntime(config, log, { migrateNow: false, observers: { client: metrics.client, run: metrics.run } });
  const lists = listsFor(config.sync.segments, config.sync.statuses, config.questionpro.pageSize);
  const staleAfterSeconds = config.status.staleAfterSeconds ?? (await defaultStaleAfterSeconds(config.schedule.cron, config.schedule.timezone));
  let firstSyncFinished = false;
  let seeded = false;

  const worker = new SyncWorker({
    ...config.schedule,
    log,
    runOnce: async (trigger, signal) => {
      await runtime.ensureMigrated();
      if (!seeded) {
        await seedLastSuccess(runtime, metrics);
        seeded = true;
      }
      const report = await runtime.sync(trigger, lists, signal);
      firstSyncFinished = true;
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
      readiness: () => checkReadiness({ db: runtime.db, lists, staleAfterSeconds, firstSyncFinished }),
    });
  }
  return new Promise<number>((resolve) => {
    onShutdownSignal(log, async () => {
      await worker.stop();
      await server?.close();
      await runtime.close();
      log.info('worker stopped');
      resolve(0);
    });
    log.info({ staleAfterSeconds }, 'freshness bound for /readyz');
    worker.start();
  });
}
