import type { Prisma } from '../generated/prisma/client.js';

export interface RejectedRecord {
  readonly record: unknown;
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

/** A ticketID worth indexing, when the broken record still has a usable one. */
function ticketIdOf(record: unknown): bigint | null {
  const id = (record as { ticketID?: unknown } | null)?.ticketID;
  return typeof id === 'number' && Number.isSafeInteger(id) ? BigInt(id) : null;
}

/** Quarantines records that failed validation; their page's good records are still stored. */
export async function writeRejects(tx: Prisma.TransactionClient, w: RejectWrite): Promise<void> {
  if (w.rejects.length === 0) return;
  await tx.syncReject.createMany({
    data: w.rejects.map((r) => ({
      runId: w.runId,
      segmentId: BigInt(w.segmentId),
      status: w.status,
      page: w.page,
      requestId: w.requestId ?? null,
      ticketId: ticketIdOf(r.record),
      reason: r.reason.slice(0, 2000),
      raw: (r.record ?? null) as Prisma.InputJsonValue,
    })),
  });
}
