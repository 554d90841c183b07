import type { Db } from '../prisma.js';

/** Where one (segment, status) list stands, as sync_lists holds it. */
export interface ListState {
  readonly segmentId: number;
  readonly status: number;
  /** The last successful sync (a read or a verified crawl), null if never. */
  readonly lastSuccessAt: Date | null;
  /** The last verified crawl (closures ran), null if never. */
  readonly lastVerifiedAt: Date | null;
  /** `totalItems` the API announced at the list's last read: what a read costs, in pages. */
  readonly lastTotalItems: number | null;
}

/**
 * Every list's state in one query of one row per list (sync_lists, kept by a trigger in
 * the same transaction as each list record): freshness for /readyz and the metrics, and
 * what the planner needs. v_sync_health reads the same rows, so they cannot disagree.
 */
export async function readListStates(db: Db): Promise<ListState[]> {
  const rows = await db.$queryRaw<
    Array<{
      segment_id: bigint;
      status: number;
      last_success_at: Date | null;
      last_verified_at: Date | null;
      last_total_items: number | null;
    }>
  >`SELECT segment_id, status, last_success_at, last_verified_at, last_total_items FROM sync_lists`;
  return rows.map((r) => ({
    segmentId: Number(r.segment_id),
    status: r.status,
    lastSuccessAt: r.last_success_at,
    lastVerifiedAt: r.last_verified_at,
    lastTotalItems: r.last_total_items,
  }));
}
