import type { Db } from './prisma.js';

export interface LastSuccess {
  readonly segmentId: number;
  readonly status: number;
  readonly finishedAt: Date;
}

/** When each (segment, status) list last synced successfully, from `sync_run_segments`. */
export async function lastSuccessPerList(db: Db): Promise<LastSuccess[]> {
  const rows = await db.$queryRaw<Array<{ segment_id: bigint; status: number; finished_at: Date }>>`
    SELECT segment_id, status, max(finished_at) AS finished_at
    FROM sync_run_segments WHERE outcome = 'succeeded' GROUP BY segment_id, status`;
  return rows.map((r) => ({ segmentId: Number(r.segment_id), status: r.status, finishedAt: r.finished_at }));
}
