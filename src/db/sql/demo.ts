import type { Db } from '../prisma.js';
import type { Queryable } from './queryable.js';

/** When the first demo run of this database started (null: none yet), and the database's now. */
export async function firstDemoRun(db: Db): Promise<{ first: Date | null; now: Date }> {
  const [row] = await db.$queryRaw<Array<{ first: Date | null; now: Date }>>`
    SELECT min(started_at) AS first, now() AS now FROM sync_runs WHERE trigger = 'demo'`;
  return row!;
}

export interface DemoTotals {
  readonly tickets: number;
  /** Memberships of open lists that are still in their list. */
  readonly open: number;
  readonly dueWithin24h: number;
  readonly overdue: number;
  /** Memberships of open lists that a sync found gone by their due time, or after it. */
  readonly closedInTime: number;
  readonly closedLate: number;
}

/**
 * Where the demo's open list stands now, counted on the tables so that the summary does
 * not depend on how a view defines these states.
 */
export async function demoTotals(db: Db, openStatus: number): Promise<DemoTotals> {
  const [row] = await db.$queryRaw<DemoTotals[]>`
    SELECT (SELECT count(*) FROM detractor_tickets)::int AS tickets,
           count(*) FILTER (WHERE m.gone_at IS NULL)::int AS open,
           count(*) FILTER (WHERE m.gone_at IS NULL AND t.due_at >= now() AND t.due_at < now() + interval '24 hours')::int
             AS "dueWithin24h",
           count(*) FILTER (WHERE m.gone_at IS NULL AND t.due_at < now())::int AS overdue,
           count(*) FILTER (WHERE m.gone_at <= t.due_at)::int AS "closedInTime",
           count(*) FILTER (WHERE m.gone_at > t.due_at)::int AS "closedLate"
      FROM detractor_ticket_segments m
      JOIN detractor_tickets t ON t.ticket_id = m.ticket_id
     WHERE m.status = ${openStatus}::int`;
  return row!;
}

/** The label the example queries of the docs show for status 1 (an analyst's own label, set in SQL). */
export async function labelStatusInSql(q: Queryable, status: number, label: string): Promise<void> {
  await q.query(`INSERT INTO detractor_ticket_statuses (status, label, is_open) VALUES ($1, $2, false) ON CONFLICT DO NOTHING`, [
    status,
    label,
  ]);
}

/** The query the demo suggests for a first look with psql. */
export const RECENT_RUNS_PSQL = 'SELECT * FROM sync_runs ORDER BY id DESC LIMIT 5';
