import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';
import type { BudgetPeriod } from './call-ledger.js';

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
  /** This period's calls by what they got (sent, ok, http_429, network, ...). */
  readonly byOutcome: Readonly<Record<string, number>>;
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
  const [bounds] = await db.$queryRaw<Array<{ period_start: Date; period_end: Date; now: Date }>>(Prisma.sql`
    SELECT period_start, period_end, now() AS now
    FROM detractor_sync_budget_period(${period.timezone}, ${period.period}, ${period.periodStartDay}::integer, now())`);
  const { period_start: periodStart, period_end: periodEnd, now } = bounds!;
  const paceFrom = new Date(Math.max(periodStart.getTime(), now.getTime() - 24 * HOUR_MS));
  const [usage] = await db.$queryRaw<Array<{ used: number; recent: number; outcomes: Record<string, number> | null }>>(Prisma.sql`
    SELECT
      coalesce((SELECT calls FROM api_call_periods WHERE key_fingerprint = ${fingerprint} AND period_start = ${periodStart}), 0)::int AS used,
      coalesce((SELECT sum(calls) FROM api_call_ledger
                WHERE key_fingerprint = ${fingerprint} AND outcome = 'sent' AND minute >= date_trunc('minute', ${paceFrom}::timestamptz)), 0)::int AS recent,
      (SELECT jsonb_object_agg(outcome, calls) FROM (
         SELECT outcome, sum(calls)::int AS calls FROM api_call_ledger
         WHERE key_fingerprint = ${fingerprint} AND minute >= ${periodStart}
         GROUP BY outcome) AS o) AS outcomes`);
  const used = usage?.used ?? 0;
  const paceHours = Math.max(1, (now.getTime() - paceFrom.getTime()) / HOUR_MS);
  const pacePerHour = (usage?.recent ?? 0) / paceHours;
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
    byOutcome: usage?.outcomes ?? {},
  };
}
