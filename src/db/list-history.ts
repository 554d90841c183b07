import type { Db } from './prisma.js';

/** What the runs so far say about one (segment, status) list. */
export interface ListHistory {
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
 * Every list's history from `sync_run_segments`, in one query: freshness for /readyz and
 * metrics, and what the planner needs (when it was last read and verified, its size).
 */
export async function listHistory(db: Db): Promise<ListHistory[]> {
  const rows = await db.$queryRaw<
    Array<{
      segment_id: bigint;
      status: number;
      last_success_at: Date | null;
      last_verified_at: Date | null;
      last_total_items: number | null;
    }>
  >`
    SELECT segment_id, status,
           max(finished_at) FILTER (WHERE outcome = 'succeeded') AS last_success_at,
           max(finished_at) FILTER (WHERE outcome = 'succeeded' AND verified) AS last_verified_at,
           (array_agg(total_items ORDER BY finished_at DESC) FILTER (WHERE total_items IS NOT NULL))[1] AS last_total_items
    FROM sync_run_segments
    WHERE outcome <> 'running'
    GROUP BY segment_id, status`;
  return rows.map((r) => ({
    segmentId: Number(r.segment_id),
    status: r.status,
    lastSuccessAt: r.last_success_at,
    lastVerifiedAt: r.last_verified_at,
    lastTotalItems: r.last_total_items,
  }));
}

export const listKey = (list: { readonly segmentId: number; readonly status: number }) => `${list.segmentId}/${list.status}`;
