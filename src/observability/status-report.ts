import { Prisma } from '../generated/prisma/client.js';
import { readBudgetStatus, type BudgetStatus } from '../budget/budget-status.js';
import { keyFingerprint, type BudgetPeriod } from '../budget/call-ledger.js';
import type { Db } from '../db/prisma.js';

/** One sync run, newest first. */
export type RunRow = {
  readonly id: string;
  readonly trigger: string;
  readonly status: string;
  readonly started_at: Date;
  readonly finished_at: Date | null;
  readonly seconds: number;
  readonly lists: number;
  readonly failed: number;
  readonly pages: number;
  readonly calls: number;
  readonly seen: number;
  readonly inserted: number;
  readonly updated: number;
  readonly error_code: string | null;
};

/** One list (segment × status) as v_sync_health sees it; the error message is free of secrets, not of quoted answers. */
export type ListRow = {
  readonly segment_id: string;
  readonly segment_name: string;
  readonly status: number;
  readonly status_label: string;
  readonly last_success_at: Date | null;
  readonly age_s: number | null;
  readonly last_outcome: string;
  readonly tickets: number;
  readonly last_error_code: string | null;
  readonly last_error: string | null;
  readonly error_request_id: string | null;
};

/** Open detractors of a segment (v_open_detractor_tickets_no_pii), and how many of them are past due. */
export type SegmentTicketsRow = {
  readonly segment_id: string;
  readonly segment_name: string;
  readonly open: number;
  readonly overdue: number;
};

/** API calls sent on a calendar day of SYNC_TIMEZONE (YYYY-MM-DD). */
export type CallsPerDayRow = { readonly day: string; readonly calls: number };

/**
 * What an operator asks first: the last runs, each list's freshness and last error, the
 * open and overdue detractors per segment, and the API calls of the budget period. One
 * set of queries, read by `npm run status` and by the worker's page, so both always
 * tell the same story. Counts and sync state, no ticket's fields (an error message may
 * quote an API answer: the page, which has no login, withholds that, see page-safety.ts).
 * Identifiers come back as text and figures as numbers, ready for JSON.
 */
export interface StatusReport {
  readonly runs: readonly RunRow[];
  readonly lists: readonly ListRow[];
  readonly openTickets: readonly SegmentTicketsRow[];
  /** Undefined when no API call was ever recorded for the key. */
  readonly apiBudget:
    (BudgetStatus & { readonly keyFingerprint: string; readonly callsPerDay: readonly CallsPerDayRow[] }) | undefined;
}

export interface StatusOptions {
  readonly runs: number;
  /** The API key, to find its calls; without it, the key that made the last call. */
  readonly apiKey: string | undefined;
  readonly budget: number | undefined;
  readonly period: BudgetPeriod;
}

/** Days of API calls shown: two weeks show a weekly rhythm and fit a chart. */
export const CALL_DAYS = 14;

const RECENT_RUNS = (limit: number) => Prisma.sql`
SELECT id::text AS id, trigger, status, started_at, finished_at,
       round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1)::float8 AS seconds,
       lists_total AS lists, lists_failed AS failed, pages, api_calls AS calls, tickets_seen AS seen,
       tickets_inserted AS inserted, tickets_updated AS updated, error_code
FROM sync_runs ORDER BY id DESC LIMIT ${limit}`;

const LISTS = Prisma.sql`
SELECT h.segment_id::text AS segment_id, h.segment_name, h.status, h.status_label, h.last_success_at, h.last_success_age_seconds::float8 AS age_s,
       h.last_outcome, h.tickets_in_list::int AS tickets, h.last_error_code, left(h.last_error_message, 300) AS last_error,
       h.last_error_request_id AS error_request_id
FROM v_sync_health h ORDER BY h.segment_id, h.status`;

// Every segment the sync has tried, also one without open tickets (0, not missing).
const OPEN_TICKETS = Prisma.sql`
WITH segments AS (
  SELECT segment_id, segment_name FROM v_sync_health UNION SELECT segment_id, segment_name FROM v_open_detractor_tickets_no_pii
)
SELECT s.segment_id::text AS segment_id, s.segment_name, count(o.ticket_id)::int AS open,
       count(o.ticket_id) FILTER (WHERE o.is_overdue)::int AS overdue
FROM segments s LEFT JOIN v_open_detractor_tickets_no_pii o ON o.segment_id = s.segment_id
GROUP BY s.segment_id, s.segment_name ORDER BY s.segment_id`;

// Days without a call are rows of 0, so a chart shows the gap rather than skipping it.
const CALLS_PER_DAY = (fingerprint: string, timezone: string) => Prisma.sql`
WITH days AS (
  SELECT generate_series(date_trunc('day', now() AT TIME ZONE ${timezone}::text) - ${CALL_DAYS - 1}::int * interval '1 day',
                         date_trunc('day', now() AT TIME ZONE ${timezone}::text), interval '1 day') AS day)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(sum(l.calls), 0)::int AS calls
FROM days d LEFT JOIN api_call_ledger l
  ON l.key_fingerprint = ${fingerprint} AND l.outcome = 'sent'
 AND l.minute >= d.day AT TIME ZONE ${timezone}::text AND l.minute < (d.day + interval '1 day') AT TIME ZONE ${timezone}::text
GROUP BY d.day ORDER BY d.day`;

async function fingerprintOf(db: Db, apiKey: string | undefined): Promise<string | undefined> {
  if (apiKey) return keyFingerprint(apiKey);
  const [row] = await db.$queryRaw<Array<{ key_fingerprint: string }>>`
    SELECT key_fingerprint FROM api_call_ledger ORDER BY minute DESC LIMIT 1`;
  return row?.key_fingerprint;
}

export async function readStatusReport(db: Db, options: StatusOptions): Promise<StatusReport> {
  const runs = await db.$queryRaw<RunRow[]>(RECENT_RUNS(options.runs));
  const lists = await db.$queryRaw<ListRow[]>(LISTS);
  const openTickets = await db.$queryRaw<SegmentTicketsRow[]>(OPEN_TICKETS);
  const fingerprint = await fingerprintOf(db, options.apiKey);
  const apiBudget =
    fingerprint === undefined
      ? undefined
      : {
          keyFingerprint: fingerprint,
          ...(await readBudgetStatus(db, fingerprint, options.budget, options.period)),
          callsPerDay: await db.$queryRaw<CallsPerDayRow[]>(CALLS_PER_DAY(fingerprint, options.period.timezone)),
        };
  return { runs, lists, openTickets, apiBudget };
}
