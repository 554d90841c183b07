import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/prisma.js';
import { DEMO_OPEN_STATUS } from '../sim/demo-data.js';

const MINUTE_MS = 60_000;
// The first run starts (stamps started_at) milliseconds after the anchor is read; this
// close to a minute's end, the anchor waits for the next minute so both fall in one.
const MINUTE_END_GUARD_MS = 3_000;

export interface DemoAnchor {
  /** The instant the demo's data is dated from. */
  readonly anchor: Date;
  /** No demo run in this database yet. */
  readonly fresh: boolean;
}

/**
 * The demo's anchor: when its first run in this database started, to the minute, so a
 * rerun rebuilds exactly the data that run stored; on a database without demo runs, now
 * to the minute, read from the database's clock because that is what stamps the run.
 */
export async function readDemoAnchor(db: Db): Promise<DemoAnchor> {
  for (;;) {
    const [row] = await db.$queryRaw<Array<{ first: Date | null; now: Date }>>`
      SELECT min(started_at) AS first, now() AS now FROM sync_runs WHERE trigger = 'demo'`;
    if (row!.first) return { anchor: toMinute(row!.first), fresh: false };
    const left = MINUTE_MS - (row!.now.getTime() % MINUTE_MS);
    if (left > MINUTE_END_GUARD_MS) return { anchor: toMinute(row!.now), fresh: true };
    await sleep(left);
  }
}

function toMinute(at: Date): Date {
  return new Date(at.getTime() - (at.getTime() % MINUTE_MS));
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
 * Where the demo's open lists stand now, counted on the tables so that the summary does
 * not depend on how a view defines these states.
 */
export async function readDemoTotals(db: Db): Promise<DemoTotals> {
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
     WHERE m.status = ${DEMO_OPEN_STATUS}::int`;
  return row!;
}
