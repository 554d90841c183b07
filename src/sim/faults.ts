import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { PageRequest, SuccessBody } from './responses.js';
import type { SimTicket } from './ticket-generator.js';

// Faults a test can queue on the simulator. Each one mimics a failure the sync must
// classify (retry or abort), see STYLE.md "Retry only what can succeed later", or a
// hostile server it must not trust (endless lists, huge or trickling bodies, leaks).

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
  'slow-body', // 200 and the real page's headers at once, then its body one byte per intervalMs
  'reset-mid-body', // 200, the real content-length and the first `bytes` body bytes, then a TCP reset
  'huge-body', // 200 chunked, a plausible page body of `bytes` bytes (default 1 GiB), made lazily
  'repeat-page', // page 1's records whatever page is asked, announcing totalPages (default 1e9)
  'near-repeat', // page 1's tickets whatever page is asked, their comment changed each page; totalPages as repeat-page
  'endless', // perPage fresh tickets on every page; totalItems (default 10) and totalPages (1e9) lie
  'echo-key', // error (status, default 502) whose HTML or JSON body echoes the request's api-key
  'custom', // the test's own status, headers and body text, sent verbatim
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults acted out on the connection rather than answered in one piece (socket-faults.ts). */
export const SOCKET_FAULT_KINDS = [
  'reset',
  'timeout',
  'slow-body',
  'reset-mid-body',
  'huge-body',
] as const satisfies readonly FaultKind[];
export type SocketFaultKind = (typeof SOCKET_FAULT_KINDS)[number];

/** What a fault's answer may use of the request it answers. */
export interface FaultContext {
  requestId: string;
  resourceUrl: string;
  /** The page asked for (number, size) and what its links need. */
  pageRequest: PageRequest;
  /** The request's headers as received: name, value, name, value... (Node's rawHeaders). */
  rawHeaders: readonly string[];
  /** A page of the requested list, the one asked for unless told; built only on demand. */
  page: (pageNumber?: number) => SuccessBody;
  /** `count` valid tickets that no answer of this simulator carried before. */
  freshTickets: (count: number) => SimTicket[];
}

export interface FaultMatch {
  segmentId?: number;
  status?: number;
  page?: number;
}

/**
 * A fault is an in-process object: the simulator runs in the test's own process, so
 * a spec may carry a function ('custom' body). Fields only apply to the kinds named.
 */
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
  /** For 'slow-body': the pause before each byte of the body. Default 1000. */
  intervalMs?: number;
  /**
   * For 'reset-mid-body': body bytes sent before the reset (default 20, capped one
   * short of the body so it is always truncated). For 'huge-body': the body's exact
   * size (default 1 GiB); one too small for a record and the page's ending (~1 kB)
   * gets a truncated document.
   */
  bytes?: number;
  /** For 'repeat-page', 'near-repeat' and 'endless': the totalPages announced. Default 1_000_000_000. */
  totalPages?: number;
  /** For 'endless': the totalItems announced. Default 10. */
  totalItems?: number;
  /** For 'echo-key' (default 502) and 'custom' (default 200): the HTTP status. */
  status?: number;
  /** For 'echo-key': a proxy's HTML page (default) or a vendor-style JSON error envelope. */
  format?: 'html' | 'json';
  /** For 'custom': response headers; content-type defaults to application/json. */
  headers?: Record<string, string>;
  /**
   * For 'custom' (required): the body text, or a function of the page the request
   * would have received. It is sent as UTF-8, so write what JS strings cannot carry
   * as JSON escapes in the text (a lone surrogate as "\\ud83d", a 2^53+1 ticketID literal).
   */
  body?: string | ((page: SuccessBody) => string);
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
    const copy = { ...spec, match: spec.match && { ...spec.match }, headers: spec.headers && { ...spec.headers } };
    this.faults.push({ spec: copy, remaining: spec.times ?? 1 });
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

const isInteger = (min: number) => (value: number) => Number.isSafeInteger(value) && value >= min;
const NUMERIC_RULES: Array<[keyof FaultSpec, (value: number) => boolean, string]> = [
  ['times', isInteger(1), 'a positive integer'],
  ['retryAfterSeconds', isInteger(0), 'a non-negative integer'],
  ['delayMs', (v) => Number.isFinite(v) && v >= 0, 'a non-negative number'],
  ['intervalMs', (v) => Number.isFinite(v) && v > 0, 'a positive number'],
  ['bytes', isInteger(0), 'a non-negative integer'],
  ['totalPages', isInteger(1), 'a positive integer'],
  ['totalItems', isInteger(0), 'a non-negative integer'],
  // 1xx would leave the client waiting for a final answer the simulator never sends.
  ['status', (v) => Number.isInteger(v) && v >= 200 && v <= 599, 'an integer in [200, 599]'],
];

// Fail at injection time with a readable message rather than letting a typo silently
// never match (or match forever), or a bad header blow up mid-answer.
function checkSpec(spec: FaultSpec): void {
  if (!(FAULT_KINDS as readonly string[]).includes(spec.kind)) {
    throw new TypeError(`unknown fault kind "${spec.kind}", expected one of ${FAULT_KINDS.join(', ')}`);
  }
  for (const [field, valid, expected] of NUMERIC_RULES) {
    const value = spec[field];
    if (value !== undefined && !(typeof value === 'number' && valid(value))) {
      throw new RangeError(`fault ${field} must be ${expected}, got ${JSON.stringify(value)}`);
    }
  }
  if (spec.format !== undefined && spec.format !== 'html' && spec.format !== 'json') {
    throw new TypeError(`fault format must be "html" or "json", got ${String(spec.format)}`);
  }
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  if (spec.kind === 'custom' && typeof spec.body !== 'string' && typeof spec.body !== 'function') {
    throw new TypeError('a custom fault needs a body: a string or a function of the page');
  }
}
