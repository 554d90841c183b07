import { STATUS_CODES } from 'node:http';
import type { FaultContext, FaultSpec, SocketFaultKind } from './faults.js';
import {
  QUOTA_ERROR,
  VENDOR_ERRORS,
  errorReply,
  html503Reply,
  invalidJson500Reply,
  jsonReply,
  pageBody,
  type SimReply,
  type SuccessBody,
} from './responses.js';

export type ReplyFaultSpec = FaultSpec & { kind: Exclude<FaultSpec['kind'], SocketFaultKind> };

// A runaway server's claim: far more pages than any sync should ever walk.
const RUNAWAY_TOTAL_PAGES = 1_000_000_000;
const ENDLESS_TOTAL_ITEMS = 10;

/** The HTTP answer for a fault that has one. */
export function faultReply(spec: ReplyFaultSpec, ctx: FaultContext): SimReply {
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
    case 'repeat-page': {
      const totalPages = spec.totalPages ?? RUNAWAY_TOTAL_PAGES;
      const totals = { totalPages, totalItems: totalPages * ctx.pageRequest.perPage };
      return jsonReply(200, pageBody(ctx.page(1).response, ctx.pageRequest, totals), requestId);
    }
    case 'near-repeat': {
      const totalPages = spec.totalPages ?? RUNAWAY_TOTAL_PAGES;
      const totals = { totalPages, totalItems: totalPages * ctx.pageRequest.perPage };
      const records = ctx.page(1).response.map((t) => ({ ...t, comment: `${t.comment} (page ${ctx.pageRequest.page})` }));
      return jsonReply(200, pageBody(records, ctx.pageRequest, totals), requestId);
    }
    case 'endless': {
      const totals = { totalPages: spec.totalPages ?? RUNAWAY_TOTAL_PAGES, totalItems: spec.totalItems ?? ENDLESS_TOTAL_ITEMS };
      return jsonReply(200, pageBody(ctx.freshTickets(ctx.pageRequest.perPage), ctx.pageRequest, totals), requestId);
    }
    case 'echo-key':
      return echoedHeadersReply(spec.status ?? 502, spec.format ?? 'html', ctx);
    case 'custom':
      return customReply(spec, ctx);
  }
}

// Corrupts the middle record rather than the first, so a consumer that validates
// only the first item of a page is caught. An empty page has nothing to corrupt.
function withInvalidRecord(body: SuccessBody): unknown {
  const target = Math.floor(body.response.length / 2);
  const response = body.response.map((ticket, i) => (i === target ? { ...ticket, ticketID: 'abc' } : ticket));
  return { ...body, response };
}

/**
 * A misconfigured proxy that dumps the request's headers, the API key among them,
 * into its error page: whatever the client logs or stores of an error body leaks it.
 */
function echoedHeadersReply(status: number, format: 'html' | 'json', ctx: FaultContext): SimReply {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < ctx.rawHeaders.length; i += 2) pairs.push(`${ctx.rawHeaders[i]}: ${ctx.rawHeaders[i + 1]}`);
  const message = `upstream rejected request with headers ${pairs.join(', ')}`;
  const reason = STATUS_CODES[status] ?? 'Error';
  if (format === 'json') {
    const name = reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    return errorReply(status, { name, id: '', message }, ctx.requestId, ctx.resourceUrl);
  }
  const body =
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${reason}</h1></center>\r\n<p>${message}</p>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers: { 'content-type': 'text/html', 'x-request-id': ctx.requestId }, body };
}

function customReply(spec: ReplyFaultSpec, ctx: FaultContext): SimReply {
  let body: string;
  try {
    body = typeof spec.body === 'function' ? spec.body(ctx.page()) : (spec.body ?? '');
  } catch (err) {
    const message = `simulator custom fault body failed: ${err instanceof Error ? err.message : String(err)}`;
    return errorReply(500, { ...VENDOR_ERRORS[500], message }, ctx.requestId, ctx.resourceUrl);
  }
  // Lower-cased so that the test's "Content-Type" replaces the default instead of doubling it.
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    status: spec.status ?? 200,
    headers: { 'content-type': 'application/json', 'x-request-id': ctx.requestId, ...headers },
    body,
  };
}
