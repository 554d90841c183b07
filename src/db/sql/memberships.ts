import { Prisma } from '../../generated/prisma/client.js';
import { pgArray } from '../pg-array.js';
import type { Db } from '../prisma.js';
import { versionCtes } from './ticket-versions.js';

export interface Closure {
  readonly segmentId: number;
  readonly status: number;
  /** Every ticket ID the verified-complete crawl read, sorted and distinct. */
  readonly presentIds: Float64Array;
  readonly goneAt: Date;
  readonly runId: bigint;
}

/**
 * The present IDs go into a temporary table with a primary key, analyzed: whatever the
 * statistics of detractor_ticket_segments (none, on a first sync that just loaded
 * it), the anti-join below is then a hash join or an index probe per membership.
 * Against `unnest($ids)` directly, PostgreSQL 15 (no hash right anti-join) plans a
 * nested loop over the array for an unanalyzed table: quadratic, 7 s at 20k tickets.
 */
const PRESENT_TABLE = Prisma.sql`
CREATE TEMP TABLE closure_present (ticket_id bigint PRIMARY KEY) ON COMMIT DROP`;

/**
 * After a crawl of a (segment, status) list is verified complete: memberships of that
 * list the crawl did not read get `gone_at`. A ticket whose `status` names this list
 * while it is in no list of that status any more takes the status of a list it is
 * still in (the most recently seen), recorded as a new version, so `status` always
 * shows where the ticket is now, whatever order the lists were read in.
 *
 * One statement (data-modifying CTEs share one snapshot: the memberships being closed
 * still look open to the later CTEs, so they are excluded by key).
 */
export function closureStatement(c: Closure): Prisma.Sql {
  return closeStatement(c, Prisma.sql`NOT EXISTS (SELECT 1 FROM closure_present p WHERE p.ticket_id = m.ticket_id)`);
}

/** The closure of the memberships `which` picks among the list's open ones. */
function closeStatement(c: Omit<Closure, 'presentIds'>, which: Prisma.Sql): Prisma.Sql {
  const list = Prisma.sql`${c.segmentId}::bigint, ${c.status}::integer`;
  return Prisma.sql`
WITH closed AS (
  UPDATE detractor_ticket_segments m SET gone_at = ${c.goneAt}::timestamptz
  WHERE (m.segment_id, m.status) = (${list}) AND m.gone_at IS NULL AND ${which}
  RETURNING m.ticket_id
),
live AS (
  SELECT DISTINCT ON (m.ticket_id) m.ticket_id, m.status
  FROM detractor_ticket_segments m JOIN closed USING (ticket_id)
  WHERE m.gone_at IS NULL AND (m.segment_id, m.status) <> (${list})
  ORDER BY m.ticket_id, m.last_seen_at DESC
),
changed AS (
  UPDATE detractor_tickets t SET status = live.status, updated_at = ${c.goneAt}::timestamptz, last_run_id = ${c.runId}::bigint
  FROM live
  WHERE t.ticket_id = live.ticket_id AND t.status = ${c.status}::integer AND t.status <> live.status
    AND NOT EXISTS (
      SELECT 1 FROM detractor_ticket_segments still
      WHERE still.ticket_id = t.ticket_id AND still.status = t.status AND still.gone_at IS NULL
        AND (still.segment_id, still.status) <> (${list}))
  RETURNING t.*
),
${versionCtes(c.goneAt, c.runId)}
SELECT (SELECT count(*) FROM closed)::int AS closed`;
}

/**
 * IDs per INSERT into the temporary table: each batch becomes one text array literal,
 * so a list of a million tickets is sent as ten statements of ~1.3 MB each rather than
 * one 13 MB literal (and its copies in the driver) held at once.
 */
const FILL_BATCH = 100_000;

/**
 * The closure's statements: `prepare` (the temporary table, its rows in batches, its
 * statistics), then `close` (closureStatement). Tests EXPLAIN `close` after `prepare`.
 */
export function closureSteps(c: Closure): { prepare: Prisma.Sql[]; close: Prisma.Sql } {
  const fills: Prisma.Sql[] = [];
  for (let at = 0; at < c.presentIds.length; at += FILL_BATCH) {
    const batch = pgArray(Array.from(c.presentIds.subarray(at, at + FILL_BATCH)));
    fills.push(Prisma.sql`INSERT INTO closure_present SELECT unnest(${batch}::bigint[])`);
  }
  return { prepare: [PRESENT_TABLE, ...fills, Prisma.sql`ANALYZE closure_present`], close: closureStatement(c) };
}

/**
 * Runs the closure as one batch transaction (no interactive transaction, so no
 * client-side timeout however long the list): all or nothing. Returns how many
 * memberships were marked gone.
 */
export async function closeMissingMemberships(db: Db, c: Closure): Promise<number> {
  const { prepare, close } = closureSteps(c);
  const results = await db.$transaction([
    ...prepare.map((sql) => db.$executeRaw(sql)),
    db.$queryRaw<Array<{ closed: number }>>(close),
  ]);
  const closed = results.at(-1) as Array<{ closed: number }>;
  return closed[0]?.closed ?? 0;
}

/**
 * Marks named tickets gone from a list (a probe located them: sync/list-probe.ts), with
 * the same status bookkeeping as a verified closure. Returns how many were open.
 */
export async function closeNamedMemberships(
  db: Db,
  c: Omit<Closure, 'presentIds'> & { readonly goneIds: readonly number[] },
): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ closed: number }>>(
    closeStatement(c, Prisma.sql`m.ticket_id = ANY(${pgArray(c.goneIds)}::bigint[])`),
  );
  return row?.closed ?? 0;
}

/** Memberships of a list not marked gone: what the database holds as in the list now. */
export async function liveMembershipCount(
  db: Db,
  list: { readonly segmentId: number; readonly status: number },
): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>(Prisma.sql`
    SELECT count(*)::int AS n FROM detractor_ticket_segments
    WHERE segment_id = ${list.segmentId}::bigint AND status = ${list.status}::integer AND gone_at IS NULL`);
  return row?.n ?? 0;
}

/** The tickets the database holds as in a list now, ascending: what a full read is compared with. */
export async function liveTicketIds(
  db: Db,
  list: { readonly segmentId: number; readonly status: number },
): Promise<Float64Array> {
  const rows = await db.$queryRaw<Array<{ ticket_id: bigint }>>(Prisma.sql`
    SELECT ticket_id FROM detractor_ticket_segments
    WHERE segment_id = ${list.segmentId}::bigint AND status = ${list.status}::integer AND gone_at IS NULL
    ORDER BY ticket_id`);
  return Float64Array.from(rows, (r) => Number(r.ticket_id));
}

/** The open memberships of a list and the ticketIDs quarantined in it since a run. */
function knownTickets(
  list: { readonly segmentId: number; readonly status: number },
  quarantinedSince: bigint | null,
): Prisma.Sql {
  return Prisma.sql`
    SELECT ticket_id FROM detractor_ticket_segments
    WHERE segment_id = ${list.segmentId}::bigint AND status = ${list.status}::integer AND gone_at IS NULL
    UNION
    SELECT ticket_id FROM sync_rejects
    WHERE run_id >= ${quarantinedSince ?? Number.MAX_SAFE_INTEGER}::bigint
      AND segment_id = ${list.segmentId}::bigint AND status = ${list.status}::integer AND ticket_id IS NOT NULL`;
}

/**
 * The list as the database knows it, in the order a server serving it newest first
 * shows it (ticketID descending): the open memberships, and the ticketIDs of records
 * quarantined in it since run `quarantinedSince` (they are in the list too, though not
 * stored). `limit` rows from `offset`; all of them without a limit.
 */
export async function knownListOrder(
  db: Db,
  list: { readonly segmentId: number; readonly status: number },
  quarantinedSince: bigint | null,
  window: { readonly offset: number; readonly limit?: number } = { offset: 0 },
): Promise<number[]> {
  const rows = await db.$queryRaw<Array<{ ticket_id: bigint }>>(Prisma.sql`
    SELECT ticket_id FROM (${knownTickets(list, quarantinedSince)}) AS known
    ORDER BY ticket_id DESC OFFSET ${window.offset}::int LIMIT ${window.limit ?? null}::int`);
  return rows.map((r) => Number(r.ticket_id));
}

/** How many tickets knownListOrder() holds for the list. */
export async function knownListSize(
  db: Db,
  list: { readonly segmentId: number; readonly status: number },
  quarantinedSince: bigint | null,
): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>(Prisma.sql`
    SELECT count(*)::int AS n FROM (${knownTickets(list, quarantinedSince)}) AS known`);
  return row?.n ?? 0;
}
