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
 * inserted once the old one is closed. CTEs run in no set order, but `new_versions`
 * reads `closed_versions` to the end (an InitPlan, evaluated once) before producing
 * its first row, which forces it.
 */
export function versionCtes(at: Date, runId: bigint): Prisma.Sql {
  return Prisma.sql`
closed_versions AS (
  UPDATE detractor_ticket_versions v SET valid_to = ${at}::timestamptz
  FROM changed c WHERE v.ticket_id = c.ticket_id AND v.valid_to IS NULL
  RETURNING 1
),
new_versions AS (
  INSERT INTO detractor_ticket_versions (
    ticket_id, valid_from, run_id, response_id, email_address, phone_number, rating, comment,
    created_at, time_limit_hours, due_at, status)
  SELECT ticket_id, ${at}::timestamptz, ${runId}::bigint, response_id, email_address, phone_number,
         rating, comment, created_at, time_limit_hours, due_at, status
  FROM changed WHERE (SELECT count(*) FROM closed_versions) >= 0
  RETURNING 1
)`;
}
