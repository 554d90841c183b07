import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { RunTrigger } from '../sync/run-records.js';
import type { RunReport } from '../sync/run-sync.js';

export interface WorkerOptions {
  readonly cron: string;
  readonly timezone: string;
  readonly runOnStart: boolean;
  readonly log: Logger;
  /** One sync; the worker passes a signal that aborts when it stops. */
  readonly runOnce: (trigger: RunTrigger, signal: AbortSignal) => Promise<RunReport>;
}

/**
 * The long-running worker: a node-cron schedule that starts syncs, never two at once
 * (a tick that finds a run in progress is skipped and logged, not queued), and a stop
 * that ends scheduling, aborts the run in progress (its current page still commits)
 * and waits for it to be recorded.
 */
export class SyncWorker {
  private task: ScheduledTask | undefined;
  private current: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    const { cron, timezone, log } = this.options;
    this.task = schedule(cron, () => this.trigger('cron'), { name: 'detractor-sync', timezone, noOverlap: true });
    log.info({ cron, timezone, nextRun: this.task.getNextRun()?.toISOString() }, 'worker scheduled');
    if (this.options.runOnStart) void this.trigger('startup');
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** Starts a run unless one is in progress; resolves when that run ends. */
  trigger(trigger: RunTrigger): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    if (this.current) {
      this.options.log.warn({ trigger }, 'run skipped: previous run still in progress');
      return this.current;
    }
    this.current = this.options
      .runOnce(trigger, this.stopping.signal)
      .then(() => undefined)
      .catch((error: unknown) => {
        // The run could not even be recorded (e.g. database down): try again at the next tick.
        this.options.log.error({ err: error, trigger, errMessage: errorMessage(error) }, 'run could not start');
      })
      .finally(() => {
        this.current = undefined;
      });
    return this.current;
  }

  async stop(): Promise<void> {
    this.options.log.info({ runInProgress: this.isRunning }, 'worker stopping');
    await this.task?.stop();
    await this.task?.destroy();
    this.stopping.abort();
    await this.current;
  }
}
