import { Prisma } from '../../generated/prisma/client.js';
import { pgArray } from '../pg-array.js';
import type { Db } from '../prisma.js';
import { versionCtes } from './ticket-versions.js';

/** A ticket ready for the database: typed, normalised, the shape the page statement consumes (built by the transform stage). */
export interface TicketRow {
  readonly ticketId: number;
  readonly responseId: number;
  readonly emailAddress: string | null;
  readonly phoneNumber: string | null;
  readonly rating: number | null;
  readonly comment: string;
  /** UTC ISO string with microseconds; exact whatever offset the API used. */
  readonly createdAt: string;
  readonly timeLimitHours: number;
  /** The record exactly as received, as JSON text. */
  readonly raw: string;
}

export interface PageWrite {
  readonly runId: bigint;
  readonly segmentId: number;
  readonly status: number;
  readonly requestId: string | undefined;
  /** Deduplicated by ticketId (Postgres cannot update one row twice per statement). */
  readonly rows: readonly TicketRow[];
  /**
   * When this page's answer arrived (not when it is written: pages and lists are
   * written as they arrive, concurrently). A changed ticket is rewritten only when
   * this is no older than its stored version (`updated_at`): older information never
   * replaces newer.
   */
  readonly seenAt: Date;
  /**
   * `last_seen_at` is refreshed only when older than this (like a file system's
   * relatime): an unchanged ticket is not rewritten on every sync, which keeps
   * re-syncs free of writes, yet `last_seen_at` stays within this of the truth.
   */
  readonly lastSeenResolutionMs: number;
}

/** The source fields of a ticket: a change in any of them is a new version (`updated_at`, history). */
const SOURCE_FIELDS = [
  'response_id',
  'email_address',
  'phone_number',
  'rating',
  'comment',
  'created_at',
  'time_limit_hours',
  'status',
  'raw',
];
const SOURCE_CHANGED = Prisma.raw(
  `(${SOURCE_FIELDS.map((f) => `t.${f}`).join(', ')}) IS DISTINCT FROM (${SOURCE_FIELDS.map((f) => `excluded.${f}`).join(', ')})`,
);

export interface PageWriteCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Memberships that had been marked gone and are in the list again. */
  readonly returned: number;
}

/**
 * One statement per page: unnest the page's columns, upsert the tickets (only rows
 * whose source fields changed are rewritten, `IS DISTINCT FROM` treating NULLs as
 * values), record a new version for each ticket that changed, upsert the (segment,
 * status) memberships, resolve the list's quarantined records now read storable, and
 * count what happened. Counts and versions come from what
 * the upsert really did (RETURNING), so they stay right when two writers race.
 */
export function upsertPageStatement(w: PageWrite): Prisma.Sql {
  const r = w.rows;
  const resolution = `${Math.max(0, Math.floor(w.lastSeenResolutionMs))} milliseconds`;
  return Prisma.sql`
WITH input AS (
  SELECT * FROM unnest(
    ${pgArray(r.map((x) => x.ticketId))}::bigint[],
    ${pgArray(r.map((x) => x.responseId))}::bigint[],
    ${pgArray(r.map((x) => x.emailAddress))}::text[],
    ${pgArray(r.map((x) => x.phoneNumber))}::text[],
    ${pgArray(r.map((x) => x.rating))}::smallint[],
    ${pgArray(r.map((x) => x.comment))}::text[],
    ${pgArray(r.map((x) => x.createdAt))}::timestamptz[],
    ${pgArray(r.map((x) => x.timeLimitHours))}::integer[],
    ${pgArray(r.map((x) => x.raw))}::jsonb[]
  ) AS i(ticket_id, response_id, email_address, phone_number, rating, comment, created_at, time_limit_hours, raw)
),
tickets AS (
  INSERT INTO detractor_tickets AS t (
    ticket_id, response_id, email_address, phone_number, rating, comment, created_at,
    time_limit_hours, due_at, status, first_seen_at, last_seen_at, updated_at,
    last_request_id, last_run_id, raw)
  SELECT ticket_id, response_id, email_address, phone_number, rating, comment, created_at,
         time_limit_hours, created_at + make_interval(hours => time_limit_hours), ${w.status}::integer,
         ${w.seenAt}::timestamptz, ${w.seenAt}::timestamptz, ${w.seenAt}::timestamptz,
         ${w.requestId ?? null}::text, ${w.runId}::bigint, raw
  FROM input
  ON CONFLICT (ticket_id) DO UPDATE SET
    response_id = excluded.response_id,
    email_address = excluded.email_address,
    phone_number = excluded.phone_number,
    rating = excluded.rating,
    comment = excluded.comment,
    created_at = excluded.created_at,
    time_limit_hours = excluded.time_limit_hours,
    due_at = excluded.due_at,
    status = excluded.status,
    raw = excluded.raw,
    last_seen_at = GREATEST(t.last_seen_at, excluded.last_seen_at),
    updated_at = CASE
      WHEN ${SOURCE_CHANGED}
      THEN excluded.updated_at ELSE t.updated_at END,
    last_request_id = excluded.last_request_id,
    last_run_id = excluded.last_run_id
  WHERE CASE WHEN ${SOURCE_CHANGED}
    THEN excluded.updated_at >= t.updated_at
    ELSE t.last_seen_at < excluded.last_seen_at - ${resolution}::interval END
  RETURNING t.ticket_id, t.response_id, t.email_address, t.phone_number, t.rating, t.comment, t.created_at,
            t.time_limit_hours, t.due_at, t.status,
            (xmax = 0) AS inserted, (t.updated_at = ${w.seenAt}::timestamptz) AS source_changed
),
changed AS (
  SELECT * FROM tickets WHERE source_changed
),
${versionCtes(w.seenAt, w.runId)},
returning_members AS (
  -- A probe of the primary key per ticket of the page (LATERAL ... LIMIT 1 is never
  -- turned into a join): a join would scan the whole list when statistics are missing.
  SELECT i.ticket_id FROM input i
  CROSS JOIN LATERAL (
    SELECT 1 FROM detractor_ticket_segments m
    WHERE m.segment_id = ${w.segmentId}::bigint AND m.status = ${w.status}::integer AND m.ticket_id = i.ticket_id
      AND m.gone_at IS NOT NULL
    LIMIT 1) AS gone
),
memberships AS (
  INSERT INTO detractor_ticket_segments AS m (segment_id, status, ticket_id, first_seen_at, last_seen_at)
  SELECT ${w.segmentId}::bigint, ${w.status}::integer, ticket_id, ${w.seenAt}::timestamptz, ${w.seenAt}::timestamptz
  FROM input
  ON CONFLICT (segment_id, status, ticket_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, gone_at = NULL
  WHERE m.gone_at IS NOT NULL OR m.last_seen_at < excluded.last_seen_at - ${resolution}::interval
  RETURNING 1
),
resolved_rejects AS (
  -- A record quarantined in this list and now read storable: no longer quarantined.
  -- Probes of the unique index (segment_id, status, record_key), usually finding nothing.
  UPDATE sync_rejects AS q SET resolved_at = ${w.seenAt}::timestamptz
  WHERE q.segment_id = ${w.segmentId}::bigint AND q.status = ${w.status}::integer
    AND q.record_key = ANY(${pgArray(r.map((x) => String(x.ticketId)))}::text[]) AND q.resolved_at IS NULL
  RETURNING 1
)
SELECT
  (SELECT count(*) FROM tickets WHERE inserted)::int AS inserted,
  (SELECT count(*) FROM changed WHERE NOT inserted)::int AS updated,
  ((SELECT count(*) FROM input) - (SELECT count(*) FROM changed))::int AS unchanged,
  (SELECT count(*) FROM returning_members)::int AS returned`;
}

export async function writePage(db: Db | Prisma.TransactionClient, w: PageWrite): Promise<PageWriteCounts> {
  const none = { inserted: 0, updated: 0, unchanged: 0, returned: 0 };
  if (w.rows.length === 0) return none;
  const [counts] = await db.$queryRaw<PageWriteCounts[]>(upsertPageStatement(w));
  return counts ?? none;
}
