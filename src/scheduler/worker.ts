import { schedule, setLogger, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { RunTrigger } from '../lists/outcomes.js';
import type { RunReport } from '../sync/run-sync.js';

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;

export interface WorkerOptions {
  readonly cron: string;
  readonly timezone: string;
  readonly runOnStart: boolean;
  readonly log: Logger;
  /** One sync; the worker passes a signal that aborts when it stops. */
  readonly runOnce: (trigger: RunTrigger, signal: AbortSignal) => Promise<RunReport>;
  /** A run that could not start (e.g. the database unreachable): no run row tells, so metrics must. */
  readonly onRunNotStarted?: (event: { trigger: RunTrigger; error: unknown }) => void;
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
  /** Consecutive runs that could not start (database down): ticks back off exponentially. */
  private failures = 0;
  private notBefore = 0;

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    const { cron, timezone, log } = this.options;
    // node-cron's own messages (e.g. "task still running") as JSON lines, not coloured text.
    const cronLog = log.child({ source: 'node-cron' });
    setLogger({
      info: (message) => cronLog.info(message),
      warn: (message) => cronLog.warn(message),
      error: (message, err) => cronLog.error({ err: err ?? message }, String(message)),
      debug: (message, err) => cronLog.debug({ err }, String(message)),
    });
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
    if (Date.now() < this.notBefore) {
      this.options.log.info(
        { trigger, retryAt: new Date(this.notBefore).toISOString() },
        'run skipped: backing off after failures',
      );
      return Promise.resolve();
    }
    this.current = this.options
      .runOnce(trigger, this.stopping.signal)
      .then(() => {
        this.failures = 0;
        this.notBefore = 0;
      })
      .catch((error: unknown) => {
        // The run could not even be recorded (e.g. database down): a later tick tries
        // again, after 1 s, 2 s, 4 s ... at most 5 minutes, never in a tight loop.
        this.failures += 1;
        const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1));
        this.notBefore = Date.now() + backoffMs;
        this.options.log.error(
          { trigger, errMessage: errorMessage(error), failures: this.failures, backoffMs },
          'run could not start',
        );
        this.options.onRunNotStarted?.({ trigger, error });
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
