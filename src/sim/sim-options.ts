import type { FaultKind } from './faults.js';
import type { DetractorsRequest } from './request-parser.js';

// What a test hands the simulator and what it can read back of each request.

export interface SimulatorOptions {
  /** Required value of the `api-key` request header. */
  apiKey: string;
  /** Further accepted keys (other licences): each has its own rate window and allowance. */
  extraApiKeys?: readonly string[];
  /** Lists generated at start. */
  lists?: Array<{ segmentId: number; status: number; count: number }>;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Added before every response. */
  latencyMs?: number;
  seed?: number;
  /** perPage above it answers 400. Default 1000. */
  maxPerPage?: number;
  /** perPage above it is served at this size, and pagination.perPage says so (a server that clamps). */
  clampPerPage?: number;
  /** Each answer lists its page's records in another order (the same records). */
  shuffleWithinPages?: boolean;
  /** A server that echoes the request's api-key as the requestID of every answer (body and header). */
  echoKeyAsRequestId?: boolean;
  /** Enforce the API's rate limit, per key: more calls than this in any 60 s answer 429 (with Retry-After). */
  rateLimitPerMinute?: number;
  /** The window that rate limit counts calls in, in ms: 60 s unless a test wants a short one. */
  rateWindowMs?: number;
  /** The licence's API-call allowance, per key: every call after this many answers the quota 429 (id 1013). */
  callAllowance?: number;
}

/** A valid request, as the onRequest hook sees it. */
export interface SimRequest extends DetractorsRequest {
  requestId: string;
}

export interface SimRequestLog extends Partial<DetractorsRequest> {
  /** 0 when no HTTP answer was sent ('reset' and 'timeout' faults). */
  httpStatus: number;
  requestId: string;
  fault?: FaultKind;
  /** For 'slow-body', 'reset-mid-body' and 'huge-body': body bytes handed to the connection so far. */
  bytesSent?: number;
}

export type RequestHook = (req: SimRequest) => void | Promise<void>;

/** Throws for a count option that is not an integer of at least `min`. */
export function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}
