import { VENDOR_ERRORS, type VendorError } from './responses.js';

// Turns `?page=&perPage=` and the JSON body into a request, or into the 400 the
// vendor would answer. Ids 1001/1002 for body problems come from the vendor's
// error-codes page; 1000 for URL parameters from the endpoint doc.

export interface DetractorsRequest {
  segmentId: number;
  status: number;
  page: number;
  perPage: number;
}

export type ParseResult =
  | { ok: true; request: DetractorsRequest }
  // `partial` keeps what could be read, so the request log still shows it.
  | { ok: false; error: VendorError; partial: Partial<DetractorsRequest> };

const DEFAULT_PAGE = 1;
const DEFAULT_PER_PAGE = 100;

export function parseDetractorsRequest(query: URLSearchParams, body: string, maxPerPage: number): ParseResult {
  const partial: Partial<DetractorsRequest> = {};
  const fail = (error: VendorError): ParseResult => ({ ok: false, error, partial });
  const urlError = (detail: string): ParseResult =>
    fail({ ...VENDOR_ERRORS[400], message: `${VENDOR_ERRORS[400].message}: ${detail}` });

  const page = positiveInteger(query.get('page'), DEFAULT_PAGE);
  if (page === undefined) return urlError('page must be a positive integer');
  partial.page = page;
  const perPage = positiveInteger(query.get('perPage'), DEFAULT_PER_PAGE);
  if (perPage === undefined) return urlError('perPage must be a positive integer');
  partial.perPage = perPage;
  if (perPage > maxPerPage) return urlError(`perPage must be at most ${maxPerPage}`);

  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return fail({ ...VENDOR_ERRORS[400], id: '1001', message: 'The body provided was not a proper JSON string' });
  }
  const schemaError = (detail: string): ParseResult =>
    fail({ ...VENDOR_ERRORS[400], id: '1002', message: `Invalid schema in the body provided: ${detail}` });
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return schemaError('expected an object with segmentID and status');
  }
  const { segmentID, status } = payload as Record<string, unknown>;
  if (!isSafeInteger(segmentID)) return schemaError('segmentID must be an integer');
  partial.segmentId = segmentID;
  if (!isSafeInteger(status)) return schemaError('status must be an integer');
  return { ok: true, request: { segmentId: segmentID, status, page, perPage } };
}

/** The parameter as a positive integer, `fallback` when absent, undefined when invalid. */
function positiveInteger(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
