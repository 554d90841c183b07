import { Prisma } from '../generated/prisma/client.js';
import { readBudgetStatus, type BudgetStatus } from '../budget/budget-status.js';
import { keyFingerprint, type BudgetPeriod } from '../budget/call-ledger.js';
import type { Db } from '../db/prisma.js';

/**
 * What an operator asks first: the last runs, each list's freshness and last error, and
 * the API calls of the budget period. One set of queries, read by `npm run status` and
 * by the worker's page, so both always tell the same story. Identifiers come back as
 * text and figures as numbers, ready for JSON.
 */
export interface StatusReport {
  readonly runs: ReadonlyArray<Record<string, unknown>>;
  readonly lists: ReadonlyArray<Record<string, unknown>>;
  /** Undefined when no API call was ever recorded for the key. */
  readonly apiBudget: (BudgetStatus & { readonly keyFingerprint: string }) | undefined;
}

export interface StatusOptions {
  readonly runs: number;
  /** The API key, to find its calls; without it, the key that made the last call. */
  readonly apiKey: string | undefined;
  readonly budget: number | undefined;
  readonly period: BudgetPeriod;
}

const RECENT_RUNS = (limit: number) => Prisma.sql`
SELECT id::text AS id, trigger, status, started_at, finished_at,
       round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1)::float8 AS seconds,
       lists_total AS lists, lists_failed AS failed, pages, api_calls AS calls, tickets_seen AS seen,
       tickets_inserted AS inserted, tickets_updated AS updated, error_code
FROM sync_runs ORDER BY id DESC LIMIT ${limit}`;

const LISTS = Prisma.sql`
SELECT h.segment_id::text AS segment_id, h.status, h.last_success_at, h.last_success_age_seconds::float8 AS age_s,
       h.last_outcome, h.tickets_in_list::int AS tickets, h.last_error_code, left(h.last_error_message, 80) AS last_error,
       h.last_error_request_id AS error_request_id
FROM v_sync_health h ORDER BY h.segment_id, h.status`;

async function fingerprintOf(db: Db, apiKey: string | undefined): Promise<string | undefined> {
  if (apiKey) return keyFingerprint(apiKey);
  const [row] = await db.$queryRaw<Array<{ key_fingerprint: string }>>`
    SELECT key_fingerprint FROM api_call_ledger ORDER BY minute DESC LIMIT 1`;
  return row?.key_fingerprint;
}

export async function readStatusReport(db: Db, options: StatusOptions): Promise<StatusReport> {
  const runs = await db.$queryRaw<Array<Record<string, unknown>>>(RECENT_RUNS(options.runs));
  const lists = await db.$queryRaw<Array<Record<string, unknown>>>(LISTS);
  const fingerprint = await fingerprintOf(db, options.apiKey);
  const apiBudget =
    fingerprint === undefined
      ? undefined
      : { keyFingerprint: fingerprint, ...(await readBudgetStatus(db, fingerprint, options.budget, options.period)) };
  return { runs, lists, apiBudget };
}
