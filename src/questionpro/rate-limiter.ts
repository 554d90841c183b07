import { abortableSleep } from './sleep.js';
import type { RequestGate } from './client.js';

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: Clock = { now: () => performance.now(), sleep: abortableSleep };

/**
 * At most `limit` calls in any `windowMs` (a sliding window, so it holds whether the
 * API counts its 60 s windows fixed or sliding). QuestionPro allows 300 calls per
 * minute per key; staying at 250 leaves room for clock skew and other clients of the
 * same key. Callers wait their turn in order; a shutdown interrupts the wait.
 */
export class SlidingWindowLimiter implements RequestGate {
  /** Start times of the calls in the current window, oldest first (a ring buffer). */
  private readonly starts: Float64Array;
  private head = 0;
  private count = 0;
  private queue: Promise<void> = Promise.resolve();
  private waitedMs = 0;

  /**
   * `windowMs` defaults to 61 s, not 60: the server counts a call when it arrives, we
   * when we send it, and network jitter between two calls a window apart must not
   * make the server see one call too many.
   */
  constructor(
    private readonly limit: number,
    private readonly windowMs = 61_000,
    private readonly clock: Clock = realClock,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
    this.starts = new Float64Array(limit);
  }

  /** Total time callers spent waiting for the limiter. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Chained so that concurrent callers take turns in arrival order.
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    if (this.count === this.limit) {
      const oldest = this.starts[this.head]!;
      const waitMs = oldest + this.windowMs - this.clock.now();
      if (waitMs > 0) {
        this.waitedMs += waitMs;
        await this.clock.sleep(waitMs, signal);
      }
      this.head = (this.head + 1) % this.limit;
      this.count -= 1;
    }
    this.starts[(this.head + this.count) % this.limit] = this.clock.now();
    this.count += 1;
  }
}
