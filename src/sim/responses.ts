import type { SimTicket } from './ticket-generator.js';

// Bodies the simulator answers with, shaped like the vendor's (detractor-tickets-api.txt),
// quirks included: links to another path, null next/prev, unquoted `docs` in the 500.

export const API_PREFIX = '/a/api/v2';
export const DETRACTORS_PATH = `${API_PREFIX}/cx/tickets/detractors`;
// The documented example's links point here, not at the endpoint; consumers must not follow them.
const LINKS_PATH = `${API_PREFIX}/cx/detractor/ticket/data`;
const DOCS = 'www.questionpro.com/api/error-codes.html';

/** Everything the HTTP layer needs to answer. */
export interface SimReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Pagination {
  perPage: number;
  totalItems: number;
  currentPage: number;
  totalPages: number;
  links: { self: string; first: string; last: string; next: null; prev: null };
}

export interface SuccessBody {
  response: SimTicket[];
  pagination: Pagination;
  requestID: string;
}

export interface PageRequest {
  origin: string;
  page: number;
  perPage: number;
  requestId: string;
}

/** One page of `tickets` (the whole list, in served order); past the end it is empty. */
export function successBody(tickets: readonly SimTicket[], req: PageRequest): SuccessBody {
  const start = (req.page - 1) * req.perPage;
  const totalItems = tickets.length;
  return pageBody(tickets.slice(start, start + req.perPage), req, {
    totalItems,
    totalPages: Math.ceil(totalItems / req.perPage),
  });
}

export interface PageTotals {
  totalItems: number;
  totalPages: number;
}

/** A page holding exactly `records` (copied), announcing `totals`: faults make them lie. */
export function pageBody(records: readonly SimTicket[], req: PageRequest, totals: PageTotals): SuccessBody {
  const link = (page: number): string => `${req.origin}${LINKS_PATH}?page=${page}&perPage=${req.perPage}`;
  return {
    response: records.map((ticket) => ({ ...ticket })),
    pagination: {
      perPage: req.perPage,
      totalItems: totals.totalItems,
      currentPage: req.page,
      totalPages: totals.totalPages,
      links: { self: link(req.page), first: link(1), last: link(Math.max(totals.totalPages, 1)), next: null, prev: null },
    },
    requestID: req.requestId,
  };
}

export function jsonReply(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): SimReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  };
}

export interface VendorError {
  name: string;
  id: string;
  message: string;
}

// Names, ids and messages from the endpoint doc and QuestionPro's error-codes and
// limits pages. Nothing is published for the per-minute 429 or gateway errors, so
// their ids are empty rather than invented.
export const VENDOR_ERRORS = {
  400: { name: 'BAD_REQUEST', id: '1000', message: 'Invalid URL parameters' },
  401: { name: 'UNAUTHORIZED', id: '1010', message: 'Incorrect API Key' },
  403: { name: 'FORBIDDEN', id: '1013', message: 'The user does not have permission to access the resource' },
  404: { name: 'NOT_FOUND', id: '1040', message: "The resource that you're trying to access doesn't exist" },
  429: { name: 'RATE_LIMIT', id: '', message: 'Rate limit exceeded' },
  500: { name: 'INTERNAL_SERVER_ERROR', id: '1026', message: 'We are not able to process your request' },
  502: { name: 'BAD_GATEWAY', id: '', message: 'Bad gateway' },
  504: { name: 'GATEWAY_TIMEOUT', id: '', message: 'Gateway timeout' },
} as const satisfies Record<number, VendorError>;

/** The licence's API-call allowance is used up (limits page: 429 with id 1013, empty name). */
export const QUOTA_ERROR: VendorError = {
  name: '',
  id: '1013',
  message: 'API call limit exceeded. Please contact your account representative to extend the limits.',
};

export type VendorErrorStatus = keyof typeof VENDOR_ERRORS;

/** The vendor's error envelope as valid JSON, plus the requestID every response carries. */
export function errorReply(
  status: number,
  error: VendorError,
  requestId: string,
  resourceUrl: string,
  headers: Record<string, string> = {},
): SimReply {
  const body = { response: { error: { docs: DOCS, ...error, httpStatusCode: status, resourceUrl } }, requestID: requestId };
  return jsonReply(status, body, requestId, headers);
}

/**
 * The 500 exactly as the doc prints it: `docs` unquoted and no comma after it, so it
 * does not parse, while still claiming to be application/json.
 */
export function invalidJson500Reply(requestId: string, resourceUrl: string): SimReply {
  const error = VENDOR_ERRORS[500];
  const body = `{
    "response": {
     "error": {
         "docs": ${DOCS}
         "name": "${error.name}",
         "httpStatusCode": 500,
         "id" : "${error.id}",
         "message": "${error.message}",
         "resourceUrl":"${resourceUrl}"
        }
    },
    "requestID": "${requestId}"
}
`;
  return { status: 500, headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body };
}

/** What a load balancer in front of the API answers when the upstream is down. */
export function html503Reply(requestId: string): SimReply {
  const body =
    '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
    '<center><h1>503 Service Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
  return { status: 503, headers: { 'content-type': 'text/html', 'x-request-id': requestId }, body };
}
