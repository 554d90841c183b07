import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { SyncWorker } from '../scheduler/worker.js';
import { onShutdownSignal } from '../scheduler/signals.js';
import { listsFor } from '../sync/run-sync.js';
import { openRuntime } from './runtime.js';

/** `npm start`: syncs on the schedule until SIGTERM/SIGINT, then exits 0. */
export async function workerCommand(config: Config, log: Logger): Promise<number> {
  // The database may be down at start: the worker keeps running and each run retries.
  const runtime = await openRuntime(config, log, { migrateNow: false });
  const lists = listsFor(config.sync.segments, config.sync.statuses, config.questionpro.pageSize);
  const worker = new SyncWorker({
    ...config.schedule,
    log,
    runOnce: (trigger, signal) => runtime.sync(trigger, lists, signal),
  });
  return new Promise<number>((resolve) => {
    onShutdownSignal(log, async () => {
      await worker.stop();
      await runtime.close();
      log.info('worker stopped');
      resolve(0);
    });
    worker.start();
  });
}
