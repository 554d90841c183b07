import type { TestDatabase } from './database.js';

// Tickets written straight into a test database, as the sync would have stored them:
// in bulk (generate_series) for plans and indexes on realistic volumes, or one by one
// for views on fixed data.

/** Tickets 1..count, each a member of one list of status 0. Expressions are SQL over g, the ticket's number. */
export interface BulkTickets {
  readonly count: number;
  /** The segment of each ticket's list: a number, or SQL over g such as `g % 50`. */
  readonly segment: number | string;
  /** Which tickets are still open (default all); the others are closed: status 1, their membership gone. */
  readonly open?: string;
  /** When each ticket was created, and first and last seen (default now()); it is due 72 hours later. */
  readonly createdAt?: string;
  /** Also one current version per ticket, as a first sync writes it. */
  readonly versions?: boolean;
}

/** Writes the tickets in a few statements, without ANALYZE: the planner knows nothing of them until the caller runs it. */
export async function seedTickets(tdb: TestDatabase, spec: BulkTickets): Promise<void> {
  const open = spec.open ?? 'true';
  await tdb.query(`
    INSERT INTO detractor_tickets (ticket_id, response_id, rating, comment, created_at, time_limit_hours, due_at, status,
                                   first_seen_at, last_seen_at, updated_at, raw)
    SELECT g, g + 10000000, (g % 11)::smallint, 'generated', ts, 72, ts + interval '72 hours', CASE WHEN ${open} THEN 0 ELSE 1 END,
           ts, ts, ts, '{}'::jsonb
    FROM generate_series(1, ${spec.count}) AS g, LATERAL (SELECT ${spec.createdAt ?? 'now()'} AS ts) t`);
  await tdb.query(`
    INSERT INTO detractor_ticket_segments (segment_id, status, ticket_id, first_seen_at, last_seen_at, gone_at)
    SELECT ${spec.segment}, 0, g, now(), now(), CASE WHEN ${open} THEN NULL ELSE now() END FROM generate_series(1, ${spec.count}) AS g`);
  if (spec.versions)
    await tdb.query(`
      INSERT INTO detractor_ticket_versions (ticket_id, valid_from, response_id, rating, comment, created_at, time_limit_hours, due_at, status)
      SELECT ticket_id, created_at, response_id, rating, comment, created_at, time_limit_hours, due_at, status FROM detractor_tickets`);
}

/** One ticket with contact data and a comment, created (and first seen) at `createdAt`, due `limitHours` later. */
export async function insertTicket(
  tdb: TestDatabase,
  t: { id: number; rating: number | null; createdAt: Date; limitHours: number; status: number },
): Promise<void> {
  await tdb.query(
    `INSERT INTO detractor_tickets (ticket_id, response_id, rating, comment, created_at, time_limit_hours, due_at, status,
                                    first_seen_at, last_seen_at, updated_at, raw, email_address)
     VALUES ($1::bigint, $1::bigint + 1000, $2, 'call me', $3::timestamptz, $4::int,
             $3::timestamptz + make_interval(hours => $4::int), $5, $3, $3, $3, '{}', 'a@example.com')`,
    [t.id, t.rating, t.createdAt, t.limitHours, t.status],
  );
}

/** A ticket's membership of the list (segment, status), seen since `since`; `goneAt` when it left the list. */
export async function insertMembership(
  tdb: TestDatabase,
  m: { segment: number; status: number; ticket: number; since: Date; goneAt: Date | null },
): Promise<void> {
  await tdb.query(
    `INSERT INTO detractor_ticket_segments (segment_id, status, ticket_id, first_seen_at, last_seen_at, gone_at)
     VALUES ($1, $2, $3, $4, $4, $5)`,
    [m.segment, m.status, m.ticket, m.since, m.goneAt],
  );
}
