import type { Db } from '../prisma.js';

/** The order a server serves a list in, as a full read learnt it. */
export type ServedOrder = 'newest_first' | 'other';

/** Where one (segment, status) list stands, as sync_lists holds it. */
export interface ListState {
  readonly segmentId: number;
  readonly status: number;
  /** The last successful sync (a probe, a read or a verified crawl), null if never. */
  readonly lastSuccessAt: Date | null;
  /** The last verified sync (every stored ticket accounted for, closures done), null if never. */
  readonly lastVerifiedAt: Date | null;
  /** `totalItems` the API announced at the list's last read: what a read costs, in pages. */
  readonly lastTotalItems: number | null;
  /** null until a full read could tell. */
  readonly servedOrder: ServedOrder | null;
  /** Tickets per page the server serves (it may serve fewer than asked); null until read. */
  readonly servedPerPage: number | null;
  /** A probe could not explain what it saw: the next run reads the list fully. */
  readonly needsFullRead: boolean;
  /** The run of the last successful full read: quarantined records since are in the list. */
  readonly lastFullReadRunId: bigint | null;
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
      served_order: string | null;
      served_per_page: number | null;
      needs_full_read: boolean | null;
      last_full_read_run_id: bigint | null;
    }>
  >`SELECT segment_id, status, last_success_at, last_verified_at, last_total_items, served_order, served_per_page,
           needs_full_read, last_full_read_run_id
    FROM sync_lists`;
  return rows.map((r) => ({
    segmentId: Number(r.segment_id),
    status: r.status,
    lastSuccessAt: r.last_success_at,
    lastVerifiedAt: r.last_verified_at,
    lastTotalItems: r.last_total_items,
    servedOrder: r.served_order === 'newest_first' || r.served_order === 'other' ? r.served_order : null,
    servedPerPage: r.served_per_page,
    needsFullRead: r.needs_full_read === true,
    lastFullReadRunId: r.last_full_read_run_id,
  }));
}
