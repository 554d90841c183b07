import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../prisma.js';

/**
 * What `npm run status` and the worker's page read (observability/status-report.ts):
 * identifiers as text and figures as numbers, ready for JSON. Counts and sync state,
 * never a ticket's fields.
 */

/** The views the report reads: all PII-free, so the read-only role made with --no-pii may read them. */
export const STATUS_VIEWS = ['v_sync_runs_no_pii', 'v_sync_health_no_pii', 'v_open_detractor_tickets_no_pii'] as const;

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

/** One list (segment × status) as v_sync_health_no_pii sees it: the error message without secrets, e-mail addresses or phone numbers. */
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

export function recentRuns(db: Db, limit: number): Promise<RunRow[]> {
  return db.$queryRaw<RunRow[]>(Prisma.sql`
    SELECT id::text AS id, trigger, status, started_at, finished_at,
           round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1)::float8 AS seconds,
           lists_total AS lists, lists_failed AS failed, pages, api_calls AS calls, tickets_seen AS seen,
           tickets_inserted AS inserted, tickets_updated AS updated, error_code
    FROM v_sync_runs_no_pii ORDER BY id DESC LIMIT ${limit}`);
}

export function listHealth(db: Db): Promise<ListRow[]> {
  return db.$queryRaw<ListRow[]>`
    SELECT h.segment_id::text AS segment_id, h.segment_name, h.status, h.status_label, h.last_success_at,
           h.last_success_age_seconds::float8 AS age_s, h.last_outcome, h.tickets_in_list::int AS tickets, h.last_error_code,
           left(h.last_error_message, 300) AS last_error, h.last_error_request_id AS error_request_id
    FROM v_sync_health_no_pii h ORDER BY h.segment_id, h.status`;
}

/** Every segment the sync has tried, also one without open tickets (0, not missing). */
export function openTicketsPerSegment(db: Db): Promise<SegmentTicketsRow[]> {
  return db.$queryRaw<SegmentTicketsRow[]>`
    WITH segments AS (
      SELECT segment_id, segment_name FROM v_sync_health_no_pii
      UNION SELECT segment_id, segment_name FROM v_open_detractor_tickets_no_pii
    )
    SELECT s.segment_id::text AS segment_id, s.segment_name, count(o.ticket_id)::int AS open,
           count(o.ticket_id) FILTER (WHERE o.is_overdue)::int AS overdue
    FROM segments s LEFT JOIN v_open_detractor_tickets_no_pii o ON o.segment_id = s.segment_id
    GROUP BY s.segment_id, s.segment_name ORDER BY s.segment_id`;
}
