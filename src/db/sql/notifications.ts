import { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../prisma.js';

/**
 * sync_notifications: per kind of event and subject, the state a person was last told
 * of. A change is claimed by one statement (the row lock decides between processes),
 * delivered, then recorded as told, or given back when the delivery failed.
 */

/** Where a list stands as the notifications judge it: sync_lists and its last attempt. */
export interface ListHealthRow {
  readonly segmentId: number;
  readonly status: number;
  /** The last attempt's outcome (succeeded, partial, failed, aborted, skipped). */
  readonly lastOutcome: string;
  /** The last attempt's error code when that attempt did not succeed. */
  readonly errorCode: string | null;
  readonly apiErrorId: string | null;
  readonly requestId: string | null;
  /** The run of the last attempt. */
  readonly runId: bigint | null;
  readonly lastSuccessAt: Date | null;
  /** The database's clock, for ages. */
  readonly now: Date;
}

export async function readListHealth(db: Db): Promise<ListHealthRow[]> {
  const rows = await db.$queryRaw<
    Array<{
      segment_id: bigint;
      status: number;
      last_outcome: string;
      error_code: string | null;
      error_api_id: string | null;
      error_request_id: string | null;
      run_id: bigint | null;
      last_success_at: Date | null;
      now: Date;
    }>
  >`SELECT l.segment_id, l.status, l.last_outcome, r.error_code, r.error_api_id, r.error_request_id, r.run_id,
           l.last_success_at, now() AS now
    FROM sync_lists l
    LEFT JOIN sync_run_segments r ON r.id = l.last_attempt_id`;
  return rows.map((r) => ({
    segmentId: Number(r.segment_id),
    status: r.status,
    lastOutcome: r.last_outcome,
    errorCode: r.error_code,
    apiErrorId: r.error_api_id,
    requestId: r.error_request_id,
    runId: r.run_id,
    lastSuccessAt: r.last_success_at,
    now: r.now,
  }));
}

/** The state last told, per subject of a kind. */
export async function readNotifiedStates(db: Db, kind: string): Promise<Map<string, string>> {
  const rows = await db.$queryRaw<Array<{ subject: string; notified_state: string }>>`
    SELECT subject, notified_state FROM sync_notifications WHERE kind = ${kind}`;
  return new Map(rows.map((r) => [r.subject, r.notified_state]));
}

export interface NotificationClaim {
  readonly kind: string;
  readonly subject: string;
  /** The state before any message (a new row starts in it). */
  readonly quiet: string;
  readonly state: string;
  readonly token: string;
  /** How long the claim holds should this process die while delivering. */
  readonly leaseMs: number;
}

/**
 * Claims telling `state`: returns the state last told, or undefined when there is
 * nothing to tell (it was told already) or another process holds a live claim. Under
 * READ COMMITTED a second claimant waits for the first's row lock, then sees its claim.
 */
export async function claimNotification(db: Db, c: NotificationClaim): Promise<string | undefined> {
  const [row] = await db.$queryRaw<Array<{ previous: string }>>(Prisma.sql`
    INSERT INTO sync_notifications AS n (kind, subject, notified_state, pending_state, claim_token, claimed_until)
    VALUES (${c.kind}, ${c.subject}, ${c.quiet}, ${c.state}, ${c.token},
            now() + ${c.leaseMs}::integer * interval '1 millisecond')
    ON CONFLICT (kind, subject) DO UPDATE
      SET pending_state = excluded.pending_state, claim_token = excluded.claim_token,
          claimed_until = excluded.claimed_until, updated_at = now()
      WHERE n.notified_state IS DISTINCT FROM excluded.pending_state
        AND (n.claimed_until IS NULL OR n.claimed_until < now())
    RETURNING n.notified_state AS previous`);
  return row?.previous;
}

/** The claimed messages were delivered: their states are now what people were told. */
export async function markDelivered(db: Db, token: string): Promise<void> {
  await db.$executeRaw`
    UPDATE sync_notifications
    SET notified_state = pending_state, notified_at = now(), pending_state = NULL, claim_token = NULL,
        claimed_until = NULL, updated_at = now()
    WHERE claim_token = ${token}`;
}

/** The delivery failed: the claims are given back, so the next run that sees the state tells it again. */
export async function releaseClaims(db: Db, token: string): Promise<void> {
  await db.$executeRaw`
    UPDATE sync_notifications
    SET pending_state = NULL, claim_token = NULL, claimed_until = NULL,
        failed_deliveries = failed_deliveries + 1, last_failure_at = now(), updated_at = now()
    WHERE claim_token = ${token}`;
}

/** Back to the quiet state without a message (a stale list fresh again): the next change is told anew. */
export async function rearmNotification(db: Db, kind: string, subject: string, quiet: string): Promise<void> {
  await db.$executeRaw`
    UPDATE sync_notifications SET notified_state = ${quiet}, updated_at = now()
    WHERE kind = ${kind} AND subject = ${subject} AND notified_state IS DISTINCT FROM ${quiet}
      AND (claimed_until IS NULL OR claimed_until < now())`;
}
