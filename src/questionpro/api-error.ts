import { SyncError, type ErrorCode } from '../errors.js';
import type { ErrorBodyInfo } from './error-body.js';

/** Where a failed API call failed: an HTTP answer, the network, or an answer we cannot use. */
export type ApiFailureKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export interface ApiErrorDetails {
  readonly kind: ApiFailureKind;
  readonly httpStatus?: number;
  readonly body?: ErrorBodyInfo;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly networkCode?: string;
  /** Overrides the code derived from kind and status. */
  readonly code?: ErrorCode;
  readonly cause?: unknown;
}

/**
 * A 429 that says the licence's call allowance is used up, unlike the per-minute rate
 * limit ("Rate limit exceeded"). QuestionPro's limits page gives the allowance answer as
 * "API call limit exceeded. Please contact your account representative to extend the
 * limits." with id 1013 (its error-codes page lists 1013 as a 403): match either.
 */
const QUOTA_PATTERN = /call limit|allowance|quota/i;
const QUOTA_ERROR_ID = '1013';

/**
 * A failed QuestionPro call, with everything support asks for: the HTTP status,
 * the API's error name / id / message and the `requestID`.
 */
export class ApiError extends SyncError {
  readonly kind: ApiFailureKind;
  readonly httpStatus: number | undefined;
  readonly apiErrorName: string | undefined;
  readonly apiErrorId: string | undefined;
  readonly apiMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Attempts made before giving up with this error (set by the client once retries end). */
  attempts = 1;
  readonly networkCode: string | undefined;

  constructor(summary: string, details: ApiErrorDetails) {
    const code = apiErrorCode(details);
    const headline =
      code === 'API_QUOTA_EXHAUSTED'
        ? `${summary}: the API call allowance of this QuestionPro licence is used up (waiting will not help; ask QuestionPro to extend it)`
        : summary;
    super(code, describe(headline, details), {
      cause: details.cause,
      fatal: code === 'API_UNAUTHORIZED' || code === 'API_QUOTA_EXHAUSTED',
      requestId: details.requestId ?? details.body?.requestId,
    });
    this.kind = details.kind;
    this.httpStatus = details.httpStatus;
    this.apiErrorName = details.body?.name;
    this.apiErrorId = details.body?.id;
    this.apiMessage = details.body?.message;
    this.retryAfterMs = details.retryAfterMs;
    this.networkCode = details.networkCode;
  }

  /** Plain fields for logs and the run records. */
  toLog(): Record<string, unknown> {
    return {
      code: this.code,
      httpStatus: this.httpStatus,
      apiErrorName: this.apiErrorName,
      apiErrorId: this.apiErrorId,
      apiMessage: this.apiMessage,
      requestId: this.requestId,
      networkCode: this.networkCode,
    };
  }
}

function apiErrorCode(details: ApiErrorDetails): ErrorCode {
  if (details.code) return details.code;
  if (details.kind === 'timeout') return 'API_TIMEOUT';
  if (details.kind === 'network') return 'API_NETWORK';
  if (details.kind === 'invalid-response') return 'API_INVALID_RESPONSE';
  switch (details.httpStatus) {
    case 400:
      return 'API_BAD_REQUEST';
    case 401:
      return 'API_UNAUTHORIZED';
    case 403:
      return 'API_FORBIDDEN';
    case 404:
      return 'API_NOT_FOUND';
    case 429:
      return QUOTA_PATTERN.test(details.body?.message ?? '') || details.body?.id === QUOTA_ERROR_ID
        ? 'API_QUOTA_EXHAUSTED'
        : 'API_RATE_LIMITED';
    default:
      return `API_HTTP_${details.httpStatus ?? 'UNKNOWN'}`;
  }
}

function describe(summary: string, d: ApiErrorDetails): string {
  const parts = [summary];
  if (d.httpStatus !== undefined) parts.push(`HTTP ${d.httpStatus}`);
  if (d.body?.name) parts.push(d.body.name);
  if (d.body?.id) parts.push(`id ${d.body.id}`);
  if (d.body?.message) parts.push(`"${d.body.message}"`);
  if (d.networkCode) parts.push(d.networkCode);
  const requestId = d.requestId ?? d.body?.requestId;
  parts.push(`requestID ${requestId ?? 'none'}`);
  return parts.join(', ');
}
