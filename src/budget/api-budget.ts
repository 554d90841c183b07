import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { readListStates } from '../db/sql/list-state.js';
import type { Db } from '../db/prisma.js';
import type { ClientObserver, RequestGate } from '../questionpro/client.js';
import type { ListRef } from '../lists/list.js';
import { readBudgetStatus, type BudgetStatus } from './budget-status.js';
import { CallLedger, type BudgetPeriod, type ClaimLimits } from './call-ledger.js';
import { planRun, type RunPlan } from './planner.js';
import { SharedLimiter } from './shared-limiter.js';

/**
 * QuestionPro's window is 60 s; ours is 61 s, as the in-process limiter's: the server
 * counts a call when it arrives, we when we send it, and jitter between two calls a
 * window apart must not make it see one call too many.
 */
const SHARED_WINDOW_MS = 61_000;

/** What the budget reads of the configuration: the key and its rate, the budget, the calendar, the plan's settings. */
export interface BudgetSettings {
  readonly questionpro: Pick<Config['questionpro'], 'apiKey' | 'rateLimitPerMinute'>;
  readonly budget: Config['budget'];
  readonly schedule: Pick<Config['schedule'], 'timezone'>;
  readonly sync: Pick<Config['sync'], 'verifyIntervalSeconds' | 'statusIntervalSeconds' | 'openStatuses'>;
}

/**
 * The API calls of the service as money: the ledger every call is claimed in (shared by
 * every process on the database), the gate that enforces the shared rate limit and the
 * period's budget, what a call got (recorded for metrics), the budget's status and
 * forecast, and the plan of each run within it. The API client knows none of this: it
 * only passes through the gate and reports to the observer.
 */
export class ApiBudget {
  readonly ledger: CallLedger;
  readonly gate: RequestGate;
  readonly period: BudgetPeriod;

  constructor(
    private readonly db: Db,
    private readonly config: BudgetSettings,
    log: Logger,
  ) {
    this.ledger = new CallLedger(db, config.questionpro.apiKey, log);
    this.period = {
      period: config.budget.period,
      periodStartDay: config.budget.periodStartDay,
      timezone: config.schedule.timezone,
    };
    const limits: ClaimLimits = {
      perWindow: config.questionpro.rateLimitPerMinute,
      windowMs: SHARED_WINDOW_MS,
      budget: config.budget.calls,
      period: this.period,
    };
    this.gate = new SharedLimiter(this.ledger, limits, log);
  }

  /** Records what each call got: ok, http_<status>, network, timeout, invalid-response. */
  readonly observer: ClientObserver = {
    onResponse: ({ status, outcome }) =>
      this.ledger.recordOutcome(status === undefined ? outcome : status === 200 ? 'ok' : `http_${status}`),
  };

  status(): Promise<BudgetStatus> {
    return readBudgetStatus(this.db, this.ledger.fingerprint, this.config.budget.calls, this.period);
  }

  /** Which lists the next run reads, how, and what it may spend (see planner.ts). */
  async plan(lists: readonly ListRef[]): Promise<RunPlan> {
    const states = await readListStates(this.db);
    const status = await this.status();
    const settings = {
      verifyIntervalSeconds: this.config.sync.verifyIntervalSeconds,
      statusIntervalSeconds: this.config.sync.statusIntervalSeconds,
      openStatuses: this.config.sync.openStatuses,
    };
    const position =
      status.budget === undefined
        ? undefined
        : { budget: status.budget, used: status.used, periodStart: status.periodStart, periodEnd: status.periodEnd };
    return planRun(lists, states, settings, status.now, position);
  }

  /** Writes the outcomes not written yet. */
  close(): Promise<void> {
    return this.ledger.flush();
  }
}
