// Faults a test can queue on the simulator. Each one mimics a failure the sync must
// classify (retry or abort), see STYLE.md "Retry only what can succeed later".

export const FAULT_KINDS = [
  '500', // vendor error page whose body is NOT valid JSON (unquoted `docs`), as documented
  '502', // gateway error, JSON envelope
  '504', // gateway timeout, JSON envelope
  '503-html', // HTML page from a proxy, text/html
  '429', // per-minute rate limit; Retry-After only when retryAfterSeconds is given
  '429-quota', // licence API-call allowance used up: waiting does not help
  'reset', // socket destroyed without an answer (ECONNRESET / socket hang up)
  'timeout', // no answer for delayMs (default 30 s), then the socket is destroyed
  '403', // FORBIDDEN
  'bad-envelope', // 200 whose body lacks `pagination`
  'invalid-record', // 200 with one record's ticketID replaced by the string "abc"
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMatch {
  segmentId?: number;
  status?: number;
  page?: number;
}

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it answers before it is used up. Default 1. */
  times?: number;
  /** Only requests with all these values match; omitted keys match anything. */
  match?: FaultMatch;
  /** For '429': the Retry-After header value in seconds. No header when omitted. */
  retryAfterSeconds?: number;
  /** For 'timeout': how long the request hangs before its socket is destroyed. */
  delayMs?: number;
}

/** What a request looks like to the fault matcher (page already defaulted). */
export interface FaultTarget {
  segmentId: number;
  status: number;
  page: number;
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

/** Faults in the order they were injected; the first matching one answers a request. */
export class FaultQueue {
  private faults: QueuedFault[] = [];

  add(spec: FaultSpec): void {
    checkSpec(spec);
    // Copied so that a test mutating its spec object later does not change the queue.
    this.faults.push({ spec: { ...spec, match: spec.match && { ...spec.match } }, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes one use of the first fault matching `target`, if any. */
  take(target: FaultTarget): FaultSpec | undefined {
    const index = this.faults.findIndex((fault) => matches(fault.spec.match, target));
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (!match) return true;
  return (
    (match.segmentId === undefined || match.segmentId === target.segmentId) &&
    (match.status === undefined || match.status === target.status) &&
    (match.page === undefined || match.page === target.page)
  );
}

// Fail at injection time with a readable message rather than letting a typo silently
// never match (or match forever).
function checkSpec(spec: FaultSpec): void {
  if (!(FAULT_KINDS as readonly string[]).includes(spec.kind)) {
    throw new TypeError(`unknown fault kind "${spec.kind}", expected one of ${FAULT_KINDS.join(', ')}`);
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new RangeError(`fault times must be a positive integer, got ${spec.times}`);
  }
  if (spec.retryAfterSeconds !== undefined && !(Number.isInteger(spec.retryAfterSeconds) && spec.retryAfterSeconds >= 0)) {
    throw new RangeError(`retryAfterSeconds must be a non-negative integer, got ${spec.retryAfterSeconds}`);
  }
  if (spec.delayMs !== undefined && !(Number.isFinite(spec.delayMs) && spec.delayMs >= 0)) {
    throw new RangeError(`delayMs must be a non-negative number, got ${spec.delayMs}`);
  }
}
