import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../prisma.js';

/**
 * The API call ledger (api_call_ledger, api_call_periods, api_rate_slots): every call of
 * every process sharing the database, per key fingerprint. The claim itself is the
 * database function detractor_sync_claim_api_call (migration api_budget), so that the
 * check and the count are one atomic step for all processes.
 */

/** The tables the budget report reads (status, the worker's page): counts per key fingerprint, no personal data. */
export const BUDGET_REPORT_TABLES = ['api_call_ledger', 'api_call_budgets'] as const;

/** A budget period: a day or a billing month, with boundaries at midnight in `timezone`. */
export interface BudgetPeriod {
  readonly period: 'day' | 'month';
  readonly periodStartDay: number;
  readonly timezone: string;
}

export interface ClaimArguments {
  readonly fingerprint: string;
  /** Calls allowed in any `windowMs`; null: no shared rate limit. */
  readonly perWindow: number | null;
  readonly windowMs: number;
  /** Calls allowed per period; null: none (calls are still counted per period). */
  readonly budget: number | null;
  readonly period: BudgetPeriod;
}

export type ClaimRow = { granted: boolean; wait_ms: number | null; reason: string | null };

export async function claimApiCall(db: Db, a: ClaimArguments): Promise<ClaimRow | undefined> {
  const [row] = await db.$queryRaw<ClaimRow[]>(Prisma.sql`
    SELECT granted, wait_ms, reason FROM detractor_sync_claim_api_call(
      ${a.fingerprint}, ${a.perWindow}::integer, ${a.windowMs}::integer, ${a.budget}::integer,
      ${a.period.timezone}, ${a.period.period}, ${a.period.periodStartDay}::integer)`);
  return row;
}

/** Adds what calls got (ok, http_429, ...) to the current minute's ledger rows, in one statement. */
export async function addCallOutcomes(
  db: Db,
  fingerprint: string,
  outcomes: readonly string[],
  counts: readonly number[],
): Promise<void> {
  await db.$executeRaw(Prisma.sql`
    INSERT INTO api_call_ledger AS l (key_fingerprint, minute, outcome, calls)
    SELECT ${fingerprint}, date_trunc('minute', now()), o, n FROM unnest(${outcomes}::text[], ${counts}::integer[]) AS b(o, n)
    ON CONFLICT (key_fingerprint, minute, outcome) DO UPDATE SET calls = l.calls + excluded.calls`);
}

/** The budget period holding the database's now, and that now (one clock for every process). */
export async function currentBudgetPeriod(db: Db, period: BudgetPeriod): Promise<{ start: Date; end: Date; now: Date }> {
  const [row] = await db.$queryRaw<Array<{ period_start: Date; period_end: Date; now: Date }>>(Prisma.sql`
    SELECT period_start, period_end, now() AS now
    FROM detractor_sync_budget_period(${period.timezone}, ${period.period}, ${period.periodStartDay}::integer, now())`);
  return { start: row!.period_start, end: row!.period_end, now: row!.now };
}

export interface PeriodUsage {
  /** Calls sent in the period. */
  readonly used: number;
  /** Calls sent since `paceFrom`. */
  readonly recent: number;
  /** The period's calls by outcome (sent, ok, http_<status>, ...). */
  readonly byOutcome: Record<string, number>;
}

export async function periodUsage(db: Db, fingerprint: string, periodStart: Date, paceFrom: Date): Promise<PeriodUsage> {
  const [row] = await db.$queryRaw<Array<{ used: number; recent: number; outcomes: Record<string, number> | null }>>(Prisma.sql`
    SELECT
      coalesce((SELECT calls FROM api_call_budgets WHERE key_fingerprint = ${fingerprint} AND period_start = ${periodStart}),
               -- Not claimed under these bounds yet (a setting changed, a period just began): count the ledger.
               (SELECT sum(calls) FROM api_call_ledger WHERE key_fingerprint = ${fingerprint} AND outcome = 'sent' AND minute >= ${periodStart}),
               0)::int AS used,
      coalesce((SELECT sum(calls) FROM api_call_ledger
                WHERE key_fingerprint = ${fingerprint} AND outcome = 'sent' AND minute >= date_trunc('minute', ${paceFrom}::timestamptz)), 0)::int AS recent,
      (SELECT jsonb_object_agg(outcome, calls) FROM (
         SELECT outcome, sum(calls)::int AS calls FROM api_call_ledger
         WHERE key_fingerprint = ${fingerprint} AND minute >= ${periodStart}
         GROUP BY outcome) AS o) AS outcomes`);
  return { used: row?.used ?? 0, recent: row?.recent ?? 0, byOutcome: row?.outcomes ?? {} };
}

/** API calls sent on a calendar day of a time zone (YYYY-MM-DD). */
export type CallsPerDayRow = { readonly day: string; readonly calls: number };

/** The last `days` calendar days of `timezone`, days without a call as 0 (a chart shows the gap). */
export async function callsPerDay(db: Db, fingerprint: string, timezone: string, days: number): Promise<CallsPerDayRow[]> {
  return db.$queryRaw<CallsPerDayRow[]>(Prisma.sql`
    WITH days AS (
      SELECT generate_series(date_trunc('day', now() AT TIME ZONE ${timezone}::text) - ${days - 1}::int * interval '1 day',
                             date_trunc('day', now() AT TIME ZONE ${timezone}::text), interval '1 day') AS day)
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(sum(l.calls), 0)::int AS calls
    FROM days d LEFT JOIN api_call_ledger l
      ON l.key_fingerprint = ${fingerprint} AND l.outcome = 'sent'
     AND l.minute >= d.day AT TIME ZONE ${timezone}::text AND l.minute < (d.day + interval '1 day') AT TIME ZONE ${timezone}::text
    GROUP BY d.day ORDER BY d.day`);
}

/** The key that made the last call recorded (status without an API key). */
export async function lastCallingFingerprint(db: Db): Promise<string | undefined> {
  const [row] = await db.$queryRaw<Array<{ key_fingerprint: string }>>`
    SELECT key_fingerprint FROM api_call_ledger ORDER BY minute DESC LIMIT 1`;
  return row?.key_fingerprint;
}
