import { ApiError } from './api-error.js';

/**
 * What is worth retrying. Only failures that can succeed later: overloaded or
 * restarting servers, rate limits (not quota), dropped connections, timeouts and
 * truncated bodies. 400/401/403/404 and answers of the wrong shape fail at once:
 * asking again cannot change them, and a 401 retry storm can get a key locked.
 */
const RETRYABLE_STATUS = new Set([408, 500, 502, 503, 504]);

export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  switch (error.kind) {
    case 'network':
      return error.code === 'API_NETWORK';
    case 'timeout':
      return true;
    case 'invalid-response':
      return error.code === 'API_UNPARSEABLE_BODY';
    case 'http':
      if (error.httpStatus === 429) return error.code === 'API_RATE_LIMITED';
      return error.httpStatus !== undefined && RETRYABLE_STATUS.has(error.httpStatus);
  }
}

/** Seconds (`120`) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
