/**
 * The API's own rate limit, as the simulator enforces it: at most `limit` calls in
 * any `windowMs` per key (a sliding window: the strictest reading of "300 calls per
 * 60 s"; key-budget.ts keeps one per key). A call over the limit is refused and not counted.
 */
export class RateWindow {
  private readonly arrivals: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Admits a call at `now`, or returns the seconds until one would be admitted. */
  admit(now: number): { admitted: true } | { admitted: false; retryAfterSeconds: number } {
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - this.windowMs) this.arrivals.shift();
    if (this.arrivals.length < this.limit) {
      this.arrivals.push(now);
      return { admitted: true };
    }
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((this.arrivals[0]! + this.windowMs - now) / 1000)) };
  }
}
