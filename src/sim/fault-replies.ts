import type { FaultKind, FaultSpec } from './faults.js';
import {
  QUOTA_ERROR,
  VENDOR_ERRORS,
  errorReply,
  html503Reply,
  invalidJson500Reply,
  jsonReply,
  type SimReply,
  type SuccessBody,
} from './responses.js';

/** Faults that never produce an HTTP answer; the server handles them on the socket. */
export type SocketFaultKind = Extract<FaultKind, 'reset' | 'timeout'>;

export function isSocketFault(kind: FaultKind): kind is SocketFaultKind {
  return kind === 'reset' || kind === 'timeout';
}

export interface FaultContext {
  requestId: string;
  resourceUrl: string;
  /** The page the request would have received; only the 200-shaped faults need it. */
  page: () => SuccessBody;
}

/** The HTTP answer for a fault that has one. */
export function faultReply(spec: FaultSpec & { kind: Exclude<FaultKind, SocketFaultKind> }, ctx: FaultContext): SimReply {
  const { requestId, resourceUrl } = ctx;
  switch (spec.kind) {
    case '500':
      return invalidJson500Reply(requestId, resourceUrl);
    case '502':
      return errorReply(502, VENDOR_ERRORS[502], requestId, resourceUrl);
    case '504':
      return errorReply(504, VENDOR_ERRORS[504], requestId, resourceUrl);
    case '503-html':
      return html503Reply(requestId);
    case '429': {
      const headers: Record<string, string> =
        spec.retryAfterSeconds === undefined ? {} : { 'retry-after': String(spec.retryAfterSeconds) };
      return errorReply(429, VENDOR_ERRORS[429], requestId, resourceUrl, headers);
    }
    case '429-quota':
      return errorReply(429, QUOTA_ERROR, requestId, resourceUrl);
    case '403':
      return errorReply(403, VENDOR_ERRORS[403], requestId, resourceUrl);
    case 'bad-envelope': {
      const { pagination: _dropped, ...withoutPagination } = ctx.page();
      return jsonReply(200, withoutPagination, requestId);
    }
    case 'invalid-record':
      return jsonReply(200, withInvalidRecord(ctx.page()), requestId);
  }
}

// Corrupts the middle record rather than the first, so a consumer that validates
// only the first item of a page is caught. An empty page has nothing to corrupt.
function withInvalidRecord(body: SuccessBody): unknown {
  const target = Math.floor(body.response.length / 2);
  const response = body.response.map((ticket, i) => (i === target ? { ...ticket, ticketID: 'abc' } : ticket));
  return { ...body, response };
}
