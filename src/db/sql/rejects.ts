import { createHash } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.js';
import { pgArray } from '../pg-array.js';
import type { Db } from '../prisma.js';

export interface RejectedRecord {
  /** The record made storable (record-sanitizer.ts): kept as jsonb for querying. */
  readonly record: unknown;
  /** The record exactly as received, as JSON text (secrets removed): lossless. */
  readonly originalText: string;
  readonly reason: string;
}

export interface RejectWrite {
  readonly runId: bigint;
  readonly segmentId: number;
  readonly status: number;
  readonly page: number;
  readonly requestId: string | undefined;
  readonly rejects: readonly RejectedRecord[];
}

const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * A ticketID worth indexing, when the broken record still has one: a safe integer, or
 * the exact digits of one too large for a JS number (json-text.ts keeps them).
 */
export function rejectedTicketId(record: unknown): bigint | null {
  const id = (record as { ticketID?: unknown } | null)?.ticketID;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return BigInt(id);
  if (typeof id === 'string' && /^\d{1,19}$/.test(id) && BigInt(id) <= INT8_MAX) return BigInt(id);
  return null;
}

/**
 * A quarantined record's identity in its list (sync_rejects.record_key): its ticketID,
 * else the SHA-256 of its text, which stays the same while the server sends the same
 * record. The migration quarantine_state computes the same from stored rows.
 */
export function rejectKey(r: Pick<RejectedRecord, 'record' | 'originalText'>): string {
  const ticketId = rejectedTicketId(r.record);
  return ticketId === null ? `sha256:${createHash('sha256').update(r.originalText, 'utf8').digest('hex')}` : ticketId.toString();
}

/**
 * Postgres refuses to update a row twice in one statement: the last sighting of each
 * record on the page, sorted by key so that two pages of a list written at once lock
 * the rows they share in the same order (no deadlock).
 */
function lastSightings(rejects: readonly RejectedRecord[]): Array<RejectedRecord & { readonly key: string }> {
  const byKey = new Map<string, RejectedRecord & { readonly key: string }>();
  for (const r of rejects) {
    const key = rejectKey(r);
    byKey.delete(key);
    byKey.set(key, { ...r, key });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Quarantines records that failed validation (or that the database refused): one row
 * per record and list, so a record seen again updates its row (last sighting, reason,
 * the record as last seen, one more run in times_seen) and reopens it if it was
 * resolved. Their page's other records are still stored. One statement, for a batch
 * transaction with the page's upsert: the page and its rejects commit together.
 */
export function upsertRejects(db: Db, w: RejectWrite) {
  const rows = lastSightings(w.rejects);
  const ticketIds = rows.map((r) => rejectedTicketId(r.record));
  // A record with nothing in it is stored as JSON null, as before.
  const raws = rows.map((r) => JSON.stringify(r.record ?? null));
  return db.$executeRaw(Prisma.sql`
    INSERT INTO sync_rejects AS q (
      run_id, segment_id, status, page, request_id, ticket_id, reason, raw, raw_text, record_key)
    SELECT ${w.runId}::bigint, ${w.segmentId}::bigint, ${w.status}::integer, ${w.page}::integer,
           ${w.requestId ?? null}::text, i.ticket_id, i.reason, i.raw, i.raw_text, i.record_key
    FROM unnest(
      ${pgArray(ticketIds)}::bigint[],
      ${pgArray(rows.map((r) => r.reason.slice(0, 2000)))}::text[],
      ${pgArray(raws)}::jsonb[],
      ${pgArray(rows.map((r) => r.originalText))}::text[],
      ${pgArray(rows.map((r) => r.key))}::text[]
    ) AS i(ticket_id, reason, raw, raw_text, record_key)
    ON CONFLICT (segment_id, status, record_key) WHERE record_key IS NOT NULL DO UPDATE SET
      times_seen = q.times_seen + CASE WHEN q.run_id = excluded.run_id THEN 0 ELSE 1 END,
      run_id = excluded.run_id,
      page = excluded.page,
      request_id = excluded.request_id,
      ticket_id = excluded.ticket_id,
      reason = excluded.reason,
      raw = excluded.raw,
      raw_text = excluded.raw_text,
      last_seen_at = excluded.last_seen_at,
      resolved_at = NULL`);
}

/**
 * After a verified full read of a list: its open quarantined records that this run did
 * not see have left the list (a verified read saw all of it). Rows a previous release
 * added during an upgrade are closed too: a record still unstorable has its keyed row.
 */
export function resolveUnseenRejects(
  db: Db,
  list: { readonly segmentId: number; readonly status: number },
  runId: bigint,
): Promise<number> {
  return db.$executeRaw(Prisma.sql`
    UPDATE sync_rejects SET resolved_at = now()
    WHERE segment_id = ${list.segmentId}::bigint AND status = ${list.status}::integer
      AND resolved_at IS NULL AND run_id <> ${runId}::bigint`);
}
