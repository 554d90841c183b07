import { Prisma } from '../generated/prisma/client.js';
import type { Db } from './prisma.js';

export interface Closure {
  readonly segmentId: number;
  readonly status: number;
  /** Every ticket ID the verified-complete crawl read, sorted. */
  readonly presentIds: Float64Array;
  readonly goneAt: Date;
  readonly runId: bigint;
}

/**
 * After a crawl of a (segment, status) list is verified complete: memberships of that
 * list that the crawl did not read get `gone_at`. Then a ticket whose `status` still
 * names a list it has left everywhere takes the status of a list it is still in (the
 * most recently seen), so `status` always shows where the ticket is now, whatever
 * order the lists were read in. One transaction: a closure is all or nothing.
 */
export async function closeMissingMemberships(db: Db, c: Closure): Promise<number> {
  const ids = Array.from(c.presentIds);
  return db.$transaction(async (tx) => {
    const closed = await tx.$queryRaw<Array<{ ticket_id: bigint }>>(Prisma.sql`
      UPDATE detractor_ticket_segments m SET gone_at = ${c.goneAt}::timestamptz
      WHERE m.segment_id = ${c.segmentId}::bigint AND m.status = ${c.status}::integer AND m.gone_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM unnest(${ids}::bigint[]) AS present(id) WHERE present.id = m.ticket_id)
      RETURNING m.ticket_id`);
    if (closed.length === 0) return 0;
    // The status change is a new version of the ticket, recorded in the same statement.
    await tx.$executeRaw(Prisma.sql`
      WITH live AS (
        SELECT DISTINCT ON (m.ticket_id) m.ticket_id, m.status
        FROM detractor_ticket_segments m
        WHERE m.ticket_id = ANY(${closed.map((r) => r.ticket_id)}::bigint[]) AND m.gone_at IS NULL
        ORDER BY m.ticket_id, m.last_seen_at DESC
      ),
      changed AS (
        UPDATE detractor_tickets t SET status = live.status, updated_at = ${c.goneAt}::timestamptz, last_run_id = ${c.runId}::bigint
        FROM live
        WHERE t.ticket_id = live.ticket_id AND t.status = ${c.status}::integer AND t.status <> live.status
          AND NOT EXISTS (
            SELECT 1 FROM detractor_ticket_segments still
            WHERE still.ticket_id = t.ticket_id AND still.status = t.status AND still.gone_at IS NULL)
        RETURNING t.*
      ),
      closed_versions AS (
        UPDATE detractor_ticket_versions v SET valid_to = ${c.goneAt}::timestamptz
        FROM changed WHERE v.ticket_id = changed.ticket_id AND v.valid_to IS NULL
        RETURNING 1
      )
      INSERT INTO detractor_ticket_versions (
        ticket_id, valid_from, run_id, response_id, email_address, phone_number, rating, comment,
        created_at, time_limit_hours, due_at, status)
      SELECT ticket_id, ${c.goneAt}::timestamptz, ${c.runId}::bigint, response_id, email_address, phone_number,
             rating, comment, created_at, time_limit_hours, due_at, status
      FROM changed`);
    return closed.length;
  });
}
