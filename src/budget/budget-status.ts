import type { Db } from '../db/prisma.js';
import { currentBudgetPeriod, periodUsage, type BudgetPeriod } from '../db/sql/ledger.js';

/** Where the API calls of the current budget period stand; what status, metrics and the planner read. */
export interface BudgetStatus {
  /** Calls allowed per period; undefined: no budget. */
  readonly budget: number | undefined;
  /** Calls sent so far in this period, by every process sharing the key. */
  readonly used: number;
  readonly remaining: number | undefined;
  readonly period: 'day' | 'month';
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly now: Date;
  /** Calls an hour at the current pace (the last 24 h, or the period so far when shorter). */
  readonly pacePerHour: number;
  /** Calls at the period's end at the current pace. */
  readonly projectedAtPeriodEnd: number;
  /**
   * This period's ledger rows by outcome, as stored: `sent` counts every call sent, and
   * the others (ok, http_429, network, ...) what those calls got, so they are not to be
   * added to `sent`. `answers` holds the second kind alone.
   */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** What the `sent` calls got (byOutcome without `sent`); `sent` less their sum got no answer recorded (yet). */
  readonly answers: Readonly<Record<string, number>>;
}

/** The ledger's outcome that counts calls sent; every other outcome is an answer to one of them. */
export const SENT_OUTCOME = 'sent';

/** byOutcome split into the calls sent and what they got; `unrecorded`: sent, with no answer written (yet). */
export function callAnswers(byOutcome: Readonly<Record<string, number>>): {
  readonly sent: number;
  readonly answers: Readonly<Record<string, number>>;
  readonly unrecorded: number;
} {
  const answers = Object.fromEntries(Object.entries(byOutcome).filter(([outcome]) => outcome !== SENT_OUTCOME));
  const sent = byOutcome[SENT_OUTCOME] ?? 0;
  const answered = Object.values(answers).reduce((n, calls) => n + calls, 0);
  return { sent, answers, unrecorded: Math.max(0, sent - answered) };
}

const HOUR_MS = 3_600_000;

/**
 * Reads the ledger for the key's current period. The pace is taken over the last 24 h
 * (a day has a rhythm) but never over less than an hour, so a period that just began
 * is not extrapolated from a few minutes.
 */
export async function readBudgetStatus(
  db: Db,
  fingerprint: string,
  budget: number | undefined,
  period: BudgetPeriod,
): Promise<BudgetStatus> {
  const { start: periodStart, end: periodEnd, now } = await currentBudgetPeriod(db, period);
  const paceFrom = new Date(Math.max(periodStart.getTime(), now.getTime() - 24 * HOUR_MS));
  const usage = await periodUsage(db, fingerprint, periodStart, paceFrom);
  const used = usage.used;
  const paceHours = Math.max(1, (now.getTime() - paceFrom.getTime()) / HOUR_MS);
  const pacePerHour = usage.recent / paceHours;
  const hoursLeft = Math.max(0, (periodEnd.getTime() - now.getTime()) / HOUR_MS);
  return {
    budget,
    used,
    remaining: budget === undefined ? undefined : Math.max(0, budget - used),
    period: period.period,
    periodStart,
    periodEnd,
    now,
    pacePerHour: Math.round(pacePerHour * 100) / 100,
    projectedAtPeriodEnd: Math.round(used + pacePerHour * hoursLeft),
    byOutcome: usage.byOutcome,
    answers: callAnswers(usage.byOutcome).answers,
  };
}
