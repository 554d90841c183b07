import type { Logger } from 'pino';
import type { ApiBudget } from '../budget/api-budget.js';
import type { BudgetStatus } from '../budget/budget-status.js';
import type { Config } from '../config/config.js';
import { readListHealth } from '../db/sql/notifications.js';
import type { Db } from '../db/prisma.js';
import { errorMessage } from '../errors.js';
import type { ListRef } from '../lists/list.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { Notifier, type NotifierDeps } from '../notify/notifier.js';
import { observe } from '../notify/observations.js';
import { defaultStaleAfterSeconds } from '../observability/readiness.js';

/** After each run: what the database now says, told to the webhook when it changed. Never throws. */
export type RunNotifier = (lists: readonly ListRef[], signal?: AbortSignal) => Promise<void>;

/**
 * The notifications of a syncing command (worker or one-shot sync), or undefined when
 * NOTIFY_WEBHOOK_URL is unset. Freshness is judged as /readyz judges it (the same
 * bound), the budget forecast as the status page shows it.
 */
export function runNotifier(
  config: Config,
  log: Logger,
  parts: {
    readonly db: Db;
    readonly budget: ApiBudget;
    readonly redactor: SecretRedactor;
    readonly onDelivery?: NotifierDeps['onDelivery'];
  },
): RunNotifier | undefined {
  const webhookUrl = config.notifyWebhookUrl;
  if (!webhookUrl) return undefined;
  const notifier = new Notifier({
    db: parts.db,
    webhookUrl,
    names: config.reporting,
    redactor: parts.redactor,
    log,
    onDelivery: parts.onDelivery,
    webhook: { timeoutMs: config.notifyTimeoutMs },
  });
  let staleAfter: Promise<number> | undefined;
  return async (lists, signal) => {
    try {
      staleAfter ??=
        config.status.staleAfterSeconds === undefined
          ? defaultStaleAfterSeconds(config.schedule.cron, config.schedule.timezone)
          : Promise.resolve(config.status.staleAfterSeconds);
      const observations = observe({
        lists,
        health: await readListHealth(parts.db),
        staleAfterSeconds: await staleAfter,
        statusIntervalSeconds: config.sync.statusIntervalSeconds,
        budget: config.budget.calls === undefined ? undefined : await budgetStatus(parts.budget, log),
      });
      await notifier.notify(observations, signal);
    } catch (error) {
      log.warn({ errMessage: parts.redactor.redact(errorMessage(error)) }, 'notifications not sent');
    }
  };
}

async function budgetStatus(budget: ApiBudget, log: Logger): Promise<BudgetStatus | undefined> {
  try {
    return await budget.status();
  } catch (error) {
    log.warn({ errMessage: errorMessage(error) }, 'budget forecast not read: no budget notification this run');
    return undefined;
  }
}
