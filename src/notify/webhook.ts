import axios from 'axios';
import pRetry, { AbortError } from 'p-retry';

/** One attempt's deadline: a receiver slower than this is down for our purpose. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Retries after the first attempt: with the backoff below, about 15 s in all before the next run tries again. */
const RETRIES = 3;
const MIN_DELAY_MS = 1_000;
const MAX_DELAY_MS = 8_000;

export interface WebhookOptions {
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly minDelayMs?: number;
  /** The stop signal: once it fires, no further attempt (the attempt in flight ends at its timeout). */
  readonly signal?: AbortSignal;
}

/** Why a delivery failed, without the URL (axios messages and configs carry it, and its path is the token). */
export class WebhookError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

/** Worth another attempt: no answer, a server error, or "slow down". A 4xx is our mistake or a revoked hook. */
function retryable(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 429;
}

/**
 * POSTs a JSON body to a webhook, retrying network errors, 5xx and 429 with jittered
 * backoff while the process is not stopping. No redirects: a webhook that moved is
 * reconfigured, not followed (the body would go wherever it points). Resolves with the
 * attempts it took; rejects with a WebhookError that names no part of the URL.
 */
export async function postWebhook(url: string, json: string, options: WebhookOptions = {}): Promise<number> {
  let attempts = 0;
  const attempt = async (): Promise<void> => {
    attempts += 1;
    const response = await axios
      .post<string>(url, json, {
        headers: { 'content-type': 'application/json' },
        timeout: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
        maxRedirects: 0,
        validateStatus: () => true,
        // Only the status matters: a huge or endless answer is not read.
        maxContentLength: 64 * 1024,
        responseType: 'text',
        transitional: { clarifyTimeoutError: true },
      })
      .catch((error: unknown) => {
        const code = (error as { code?: unknown }).code;
        throw new WebhookError(
          `no answer from the webhook (${typeof code === 'string' ? code : 'network error'})`,
          undefined,
          attempts,
        );
      });
    if (response.status >= 200 && response.status < 300) return;
    const failure = new WebhookError(`the webhook answered HTTP ${response.status}`, response.status, attempts);
    if (!retryable(response.status)) throw new AbortError(failure);
    throw failure;
  };
  try {
    await pRetry(attempt, {
      retries: options.retries ?? RETRIES,
      minTimeout: options.minDelayMs ?? MIN_DELAY_MS,
      maxTimeout: MAX_DELAY_MS,
      factor: 2,
      randomize: true,
      shouldRetry: () => options.signal?.aborted !== true,
    });
  } catch (error) {
    if (error instanceof WebhookError) throw new WebhookError(error.message, error.httpStatus, attempts);
    throw new WebhookError('the webhook could not be reached', undefined, attempts);
  }
  return attempts;
}
