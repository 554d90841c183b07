import type { Logger } from 'pino';
import type { ApiBudget } from '../budget/api-budget.js';
import { GateChain } from '../budget/shared-limiter.js';
import type { Config } from '../config/config.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { QuestionProClient, combineObservers, type ClientObserver } from '../questionpro/client.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';

/**
 * The API client behind two gates: this process's limiter (no database round trip
 * while the process alone would exceed the rate) and, with a database, the ledger shared
 * by every process (the shared rate limit and API_CALL_BUDGET; every call counted).
 */
export function createApiClient(
  config: Pick<Config, 'questionpro' | 'retry'>,
  log: Logger,
  budget: ApiBudget | undefined,
  options: { readonly observer?: ClientObserver; readonly redactor?: SecretRedactor } = {},
): QuestionProClient {
  const limiter = new SlidingWindowLimiter(config.questionpro.rateLimitPerMinute);
  return new QuestionProClient(
    { ...config.questionpro, retry: config.retry, redactor: options.redactor },
    log,
    new GateChain(budget ? [limiter, budget.gate] : [limiter]),
    combineObservers(options.observer, budget?.observer),
  );
}
