import { Prisma } from '../../generated/prisma/client.js';

/**
 * The history of tickets whose source fields or status changed, as two CTEs to put
 * into the statement that changed them: `closed_versions` ends each ticket's current
 * version at `at`, `new_versions` opens the new one. Both read a CTE named `changed`
 * holding the tickets' new values (a RETURNING of detractor_tickets). Used by the page
 * statement (ticket-writer.ts) and by closures (membership-closer.ts): the one place
 * the history is written.
 *
 * A ticket has at most one current version (a unique index): the new one may only be
 * inserted once the old one is closed. And at most one version per run: a ticket that
 * changes again in the run that made its current version (a server serving the same
 * tickets with a field changed page after page, two lists holding the ticket) has that
 * version rewritten, not a new one added. CTEs run in no set order, but `new_versions`
 * reads `closed_versions` to the end (an InitPlan, evaluated once) before producing
 * its first row, which forces it.
 */
export function versionCtes(at: Date, runId: bigint): Prisma.Sql {
  return Prisma.sql`
closed_versions AS (
  UPDATE detractor_ticket_versions v SET valid_to = ${at}::timestamptz
  FROM changed c WHERE v.ticket_id = c.ticket_id AND v.valid_to IS NULL AND v.run_id IS DISTINCT FROM ${runId}::bigint
  RETURNING 1
),
rewritten_versions AS (
  UPDATE detractor_ticket_versions v SET response_id = c.response_id, email_address = c.email_address,
    phone_number = c.phone_number, rating = c.rating, comment = c.comment, created_at = c.created_at,
    time_limit_hours = c.time_limit_hours, due_at = c.due_at, status = c.status
  FROM changed c WHERE v.ticket_id = c.ticket_id AND v.valid_to IS NULL AND v.run_id = ${runId}::bigint
  RETURNING 1
),
new_versions AS (
  INSERT INTO detractor_ticket_versions (
    ticket_id, valid_from, run_id, response_id, email_address, phone_number, rating, comment,
    created_at, time_limit_hours, due_at, status)
  SELECT ticket_id, ${at}::timestamptz, ${runId}::bigint, response_id, email_address, phone_number,
         rating, comment, created_at, time_limit_hours, due_at, status
  FROM changed c
  WHERE NOT EXISTS (
          SELECT 1 FROM detractor_ticket_versions v
          WHERE v.ticket_id = c.ticket_id AND v.valid_to IS NULL AND v.run_id = ${runId}::bigint)
    AND (SELECT count(*) FROM closed_versions) >= 0
  RETURNING 1
)`;
}
