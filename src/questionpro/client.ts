import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { AbortedError, SyncError, type ErrorCode } from '../errors.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiText } from './api-text.js';
import { ApiError } from './api-error.js';
import { parseErrorBody } from './error-body.js';
import { parseJsonExact } from './json-text.js';
import { describeZodError, pageEnvelopeSchema, type PageEnvelope } from './response-schema.js';
import { isRetryable, parseRetryAfter } from './retry-policy.js';
import { abortableSleep } from './sleep.js';

export interface ClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Deadline of one attempt, from sending the request to the body's last byte. */
  readonly timeoutMs: number;
  /** A body larger than this is refused while it streams in. Default 64 MiB. */
  readonly maxResponseBytes?: number;
  readonly retry: { readonly retries: number; readonly minDelayMs: number; readonly maxDelayMs: number };
  /** Secrets removed by value from what the API sends back; default: the api-key. */
  readonly redactor?: SecretRedactor;
}

export interface PageRequest {
  readonly segmentId: number;
  readonly status: number;
  readonly page: number;
  readonly perPage: number;
}

export interface FetchedPage extends Omit<PageEnvelope, 'requestID'> {
  /** The answer's requestID, through the gate for API text (api-text.ts). */
  readonly requestId: string | undefined;
  /** Requests sent for it (calls spent), 1 when the first answer was good. */
  readonly attempts: number;
}

/** Waits before a request; the rate limiter plugs in here. */
export interface RequestGate {
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Hooks for metrics: every answer (or failure to get one), every retry, every Retry-After wait. */
export interface ClientObserver {
  onResponse?(event: { status: number | undefined; outcome: string; attempt: number }): void;
  onRetry?(event: { code: ErrorCode; httpStatus: number | undefined }): void;
  onRetryAfterWait?(event: { waitMs: number }): void;
  onFatal?(event: { code: ErrorCode }): void;
}

/** Observers called in turn (e.g. metrics and the call ledger). */
export function combineObservers(...observers: ReadonlyArray<ClientObserver | undefined>): ClientObserver {
  const present = observers.filter((o): o is ClientObserver => o !== undefined);
  return {
    onResponse: (event) => present.forEach((o) => o.onResponse?.(event)),
    onRetry: (event) => present.forEach((o) => o.onRetry?.(event)),
    onRetryAfterWait: (event) => present.forEach((o) => o.onRetryAfterWait?.(event)),
    onFatal: (event) => present.forEach((o) => o.onFatal?.(event)),
  };
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1_048_576;

/** Failures of our own request set-up: asking again cannot help. */
const SETUP_CODES = new Set([
  'ERR_INVALID_URL',
  'ERR_BAD_OPTION',
  'ERR_BAD_OPTION_VALUE',
  'ERR_NOT_SUPPORT',
  'ERR_FR_TOO_MANY_REDIRECTS',
]);

/**
 * The QuestionPro CX API, one page at a time. Each call is retried by policy
 * (retry-policy.ts) with jittered exponential backoff; the result is a validated
 * envelope or an ApiError that names status, API error and requestID.
 */
export class QuestionProClient {
  private readonly http: AxiosInstance;
  /** Every identifier and text the API sends passes here before it is kept anywhere. */
  private readonly inbound: ApiText;

  constructor(
    private readonly options: ClientOptions,
    private readonly log: Logger,
    private readonly gate?: RequestGate,
    private readonly observer: ClientObserver = {},
  ) {
    this.inbound = new ApiText(options.redactor ?? new SecretRedactor([options.apiKey]));
    this.http = axios.create({
      baseURL: options.baseUrl,
      // No axios `timeout`: it is an idle timeout, which a server sending one byte a
      // second never trips. Each attempt gets a deadline signal instead (requestOnce).
      maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      headers: { 'api-key': options.apiKey, 'content-type': 'application/json', accept: 'application/json' },
      // Bodies are parsed here, not by axios: error bodies are often not valid JSON.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      // Keep-alive: a sync is hundreds of calls to one host.
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 16 }),
    });
  }

  /** `callLog`: the caller's logger (its run and list); failures and waits are logged with it. */
  async fetchPage(request: PageRequest, signal?: AbortSignal, callLog?: Logger): Promise<FetchedPage> {
    const log = callLog ?? this.log.child({ segmentId: request.segmentId, ticketStatus: request.status });
    const where = { page: request.page, perPage: request.perPage };
    let tries = 0;
    // Requests that went out (past the gates): the calls the API counts, whatever came back.
    let sent = 0;
    const spend = () => (sent += 1);
    const { retries, minDelayMs, maxDelayMs } = this.options.retry;
    try {
      return await pRetry(
        async () => {
          tries += 1;
          const page = await this.requestOnce(request, tries, spend, signal);
          return { ...page, attempts: sent };
        },
        {
          retries,
          minTimeout: minDelayMs,
          maxTimeout: maxDelayMs,
          factor: 2,
          randomize: true,
          signal,
          shouldRetry: ({ error }) => isRetryable(error),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            const fields = error instanceof ApiError ? error.toLog() : { errMessage: error.message };
            const willRetry = retriesLeft > 0 && isRetryable(error);
            log.warn({ ...where, attempt: attemptNumber, retriesLeft, willRetry, ...fields }, 'api call failed');
            if (error instanceof ApiError) {
              if (willRetry) this.observer.onRetry?.({ code: error.code, httpStatus: error.httpStatus });
              if (error.fatal) this.observer.onFatal?.({ code: error.code });
            }
            // p-retry has no per-error delay: honour Retry-After by waiting here, before its own backoff.
            if (willRetry && error instanceof ApiError && error.retryAfterMs !== undefined) {
              const waitMs = Math.min(error.retryAfterMs, maxDelayMs);
              log.info({ ...where, waitMs, requestId: error.requestId }, 'waiting for Retry-After');
              this.observer.onRetryAfterWait?.({ waitMs });
              await abortableSleep(waitMs, signal);
            }
          },
        },
      );
    } catch (error) {
      const failure = signal?.aborted ? AbortedError.from(signal) : error;
      if (failure instanceof SyncError) failure.callsSpent = sent;
      if (failure instanceof ApiError) failure.attempts = sent;
      throw failure;
    }
  }

  /** No usable answer: the network, a body cut short, or one too large to accept. */
  private toTransportError(error: unknown): ApiError {
    if (!isAxiosError(error)) {
      return new ApiError(`QuestionPro request failed (${String(error)})`, {
        kind: 'network',
        code: 'API_REQUEST_FAILED',
        cause: error,
      });
    }
    const code = error.code ?? 'UNKNOWN';
    if (/maxContentLength/.test(error.message)) {
      const limit = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      return new ApiError(
        `QuestionPro answer is larger than HTTP_MAX_RESPONSE_BYTES (${limit} bytes): refused while it streamed in`,
        {
          kind: 'invalid-response',
          code: 'API_RESPONSE_TOO_LARGE',
          httpStatus: error.response?.status,
          requestId: this.inbound.identifier(headerText(error.response?.headers['x-request-id'])),
          cause: error,
        },
      );
    }
    if (SETUP_CODES.has(code)) {
      return new ApiError(`QuestionPro request failed (${error.message})`, {
        kind: 'network',
        code: 'API_REQUEST_FAILED',
        networkCode: code,
        cause: error,
      });
    }
    // Everything else lost the connection: refused, reset (also mid-body, after the
    // headers), DNS, a proxy hanging up. The next attempt may well succeed.
    const midBody = error.response !== undefined ? ' while reading the body' : '';
    return new ApiError(`QuestionPro connection failed${midBody} (${error.message})`, {
      kind: 'network',
      networkCode: code,
      httpStatus: error.response?.status,
      requestId: this.inbound.identifier(headerText(error.response?.headers['x-request-id'])),
      cause: error,
    });
  }

  private async requestOnce(
    request: PageRequest,
    attempt: number,
    spend: () => void,
    signal?: AbortSignal,
  ): Promise<Omit<FetchedPage, 'attempts'>> {
    await this.gate?.acquire(signal);
    spend();
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    let response: AxiosResponse<string>;
    try {
      response = await this.http.post<string>(
        '/cx/tickets/detractors',
        JSON.stringify({ segmentID: request.segmentId, status: request.status }),
        {
          params: { page: request.page, perPage: request.perPage },
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        },
      );
    } catch (error) {
      if (signal?.aborted) throw AbortedError.from(signal);
      const failure = deadline.aborted
        ? new ApiError(`QuestionPro request exceeded its ${this.options.timeoutMs} ms deadline`, {
            kind: 'timeout',
            networkCode: 'DEADLINE',
            cause: error,
          })
        : this.toTransportError(error);
      this.observer.onResponse?.({ status: undefined, outcome: failure.kind, attempt });
      throw failure;
    }
    const requestId = this.inbound.identifier(headerText(response.headers['x-request-id']));
    if (response.status !== 200) {
      const raw = parseErrorBody(response.data ?? '', headerText(response.headers['content-type']) ?? '');
      const body = {
        name: this.inbound.text(raw.name),
        id: this.inbound.identifier(raw.id),
        message: this.inbound.text(raw.message),
        requestId: this.inbound.identifier(raw.requestId),
      };
      this.observer.onResponse?.({ status: response.status, outcome: 'error', attempt });
      throw new ApiError('QuestionPro API error', {
        kind: 'http',
        httpStatus: response.status,
        body,
        requestId: body.requestId ?? requestId,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      });
    }
    this.observer.onResponse?.({ status: 200, outcome: 'ok', attempt });
    return parseEnvelope(response.data ?? '', requestId, this.inbound);
  }
}

function parseEnvelope(text: string, headerRequestId: string | undefined, inbound: ApiText): Omit<FetchedPage, 'attempts'> {
  let json: unknown;
  try {
    json = parseJsonExact(text);
  } catch {
    // A 200 whose body does not parse is most likely truncated in transit: retryable.
    // Neither an excerpt nor the parser's message (which quotes the text) is kept: a
    // page of tickets holds respondents' e-mails and comments, and this message reaches
    // logs, sync_run_segments and the status page.
    throw new ApiError(
      `QuestionPro answered 200 with a body that is not JSON (${Buffer.byteLength(text)} bytes, content withheld)`,
      {
        kind: 'invalid-response',
        code: 'API_UNPARSEABLE_BODY',
        httpStatus: 200,
        requestId: headerRequestId,
      },
    );
  }
  const parsed = pageEnvelopeSchema.safeParse(json);
  const requestId =
    inbound.identifier(
      typeof (json as { requestID?: unknown })?.requestID === 'string' ? (json as { requestID: string }).requestID : undefined,
    ) ?? headerRequestId;
  if (!parsed.success) {
    throw new ApiError(`QuestionPro answer does not match the documented shape (${describeZodError(parsed.error)})`, {
      kind: 'invalid-response',
      httpStatus: 200,
      requestId,
    });
  }
  const { requestID: _sent, ...envelope } = parsed.data;
  return { ...envelope, requestId };
}

function headerText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
