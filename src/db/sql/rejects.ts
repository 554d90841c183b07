import { Prisma } from '../../generated/prisma/client.js';
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
 * Quarantines records that failed validation (or that the database refused); their
 * page's other records are still stored. One statement, for a batch transaction
 * with the page's upsert: the page and its rejects commit together.
 */
export function insertRejects(db: Db, w: RejectWrite) {
  return db.syncReject.createMany({
    data: w.rejects.map((r) => ({
      runId: w.runId,
      segmentId: BigInt(w.segmentId),
      status: w.status,
      page: w.page,
      requestId: w.requestId ?? null,
      ticketId: rejectedTicketId(r.record),
      reason: r.reason.slice(0, 2000),
      raw: r.record === null || r.record === undefined ? Prisma.JsonNull : (r.record as Prisma.InputJsonValue),
      rawText: r.originalText,
    })),
  });
}
