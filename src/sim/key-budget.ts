import { RateWindow } from './rate-window.js';

// What each API key may still spend, counted the way QuestionPro counts it: per key,
// not per client or connection. Two limits: the per-minute rate (wait and retry) and
// the licence's call allowance (used up: waiting does not help).

export type Admission =
  { admitted: true } | { admitted: false; reason: 'rate'; retryAfterSeconds: number } | { admitted: false; reason: 'quota' };

export interface KeyLimits {
  /** Calls per key in any `windowMs` (default 60 s); none when undefined. */
  perMinute?: number;
  windowMs?: number;
  /** Calls per key in the simulator's life; every later call is refused. */
  allowance?: number;
}

export class KeyBudget {
  private readonly windows = new Map<string, RateWindow>();
  private readonly calls = new Map<string, number>();

  constructor(private readonly limits: KeyLimits) {}

  /**
   * Admits a call of `key` at `now`. A call the rate window refuses is not counted
   * (it never reached the API); every other one is, the one refused for quota too.
   */
  admit(key: string, now: number): Admission {
    const { perMinute, allowance } = this.limits;
    if (perMinute !== undefined) {
      const verdict = this.window(key, perMinute).admit(now);
      if (!verdict.admitted) return { admitted: false, reason: 'rate', retryAfterSeconds: verdict.retryAfterSeconds };
    }
    const calls = this.callsBy(key) + 1;
    this.calls.set(key, calls);
    if (allowance !== undefined && calls > allowance) return { admitted: false, reason: 'quota' };
    return { admitted: true };
  }

  /** Calls counted for `key` so far (0 for a key never seen). */
  callsBy(key: string): number {
    return this.calls.get(key) ?? 0;
  }

  private window(key: string, perMinute: number): RateWindow {
    let window = this.windows.get(key);
    if (!window) {
      window = new RateWindow(perMinute, this.limits.windowMs);
      this.windows.set(key, window);
    }
    return window;
  }
}
