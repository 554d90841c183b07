import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readDemoAnchor } from '../../src/app/demo.js';
import { demoTotals } from '../../src/db/sql/demo.js';
import { QuestionProClient } from '../../src/questionpro/client.js';
import { DEMO_API_KEY, DEMO_OPEN_STATUS, DEMO_SEGMENTS, DEMO_STATUSES, demoLists } from '../../src/sim/demo-data.js';
import { DEMO_CHANGE, runDemoScenario } from '../../src/sim/demo-scenario.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { planRun } from '../../src/budget/planner.js';
import { readListStates } from '../../src/db/sql/list-state.js';
import { listsFor } from '../../src/lists/list.js';
import { runSync, type RunReport } from '../../src/sync/run-sync.js';
import { captureLogger } from '../support/capture-logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// The anchor is now, to the minute, captured once: a sync stamps gone_at with the real
// time, and the scenario closes tickets at least 12 h from their due time, so "in time"
// and "late" hold for any sync within hours of it.
const anchor = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const HOUR_MS = 3_600_000;
const PER_PAGE = 100;
const segments = DEMO_SEGMENTS.length;

/**
 * One `npm run demo` on `tdb`: its own simulator, the scenario, the syncs. Like the
 * demo's planner, a database's first run verifies every list and later runs read each
 * list once (a read that finds tickets gone goes on to verify the list).
 */
async function demo(tdb: TestDatabase, fresh: boolean): Promise<RunReport[]> {
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY });
  const { log } = captureLogger('warn');
  const source = new QuestionProClient(
    { baseUrl: sim.baseUrl, apiKey: DEMO_API_KEY, timeoutMs: 5_000, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 5 } },
    log,
  );
  // Planned as the service plans a run without a budget: probes where they can, full reads elsewhere.
  const sync = async () => {
    const settings = { verifyIntervalSeconds: 3_600, statusIntervalSeconds: {}, openStatuses: [0] };
    const plan = planRun(listsFor(DEMO_SEGMENTS, DEMO_STATUSES, PER_PAGE), await readListStates(tdb.db), settings, new Date());
    return runSync({ db: tdb.db, databaseUrl: tdb.url, source, log }, { trigger: 'demo', lists: plan.lists });
  };
  try {
    return await runDemoScenario(sim, { anchor, fresh, sync });
  } finally {
    await sim.close();
  }
}

const ticketRows = (tdb: TestDatabase) =>
  tdb.query(`SELECT ticket_id, created_at, due_at, time_limit_hours, rating, comment, status FROM detractor_tickets ORDER BY 1`);

/** Open-list memberships by state, relative to the anchor ($1). */
async function openListStates(tdb: TestDatabase): Promise<Record<string, number>> {
  const [row] = await tdb.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE m.gone_at IS NULL AND t.due_at >= $1)::int AS not_due,
            count(*) FILTER (WHERE m.gone_at IS NULL AND t.due_at >= $1 AND t.due_at < $1 + interval '48 hours')::int
              AS due_within_48h,
            count(*) FILTER (WHERE m.gone_at IS NULL AND t.due_at < $1)::int AS overdue,
            count(*) FILTER (WHERE m.gone_at <= t.due_at)::int AS closed_in_time,
            count(*) FILTER (WHERE m.gone_at > t.due_at)::int AS closed_late
       FROM detractor_ticket_segments m JOIN detractor_tickets t ON t.ticket_id = m.ticket_id
      WHERE m.status = 0`,
    [anchor],
  );
  return row!;
}

const sum = (reports: readonly RunReport[], pick: (c: RunReport['lists'][number]['counts']) => number) =>
  reports.flatMap((r) => r.lists).reduce((n, l) => n + pick(l.counts), 0);

describe('the demo scenario, dated from a fixed anchor', () => {
  let tdb: TestDatabase;
  let twin: TestDatabase;
  let fresh: RunReport[];
  let rowsAfterFresh: unknown[];
  let rerun: RunReport[];
  beforeAll(async () => {
    [tdb, twin] = await Promise.all([createTestDatabase('demo'), createTestDatabase('demo')]);
    fresh = await demo(tdb, true);
    rowsAfterFresh = await ticketRows(tdb);
    rerun = await demo(tdb, false);
    await demo(twin, true);
  }, 120_000);
  afterAll(async () => {
    await tdb?.close();
    await twin?.close();
  });

  test('when run on a fresh database, then it syncs twice and the second sync finds the closed tickets gone', () => {
    expect(fresh.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(sum(fresh.slice(1), (c) => c.ticketsGone)).toBe(segments * (DEMO_CHANGE.closedInTime + DEMO_CHANGE.closedLate));
    expect(sum(fresh.slice(1), (c) => c.ticketsInserted)).toBe(segments * DEMO_CHANGE.arrivals);
  });

  test('when the demo has run, then open lists hold tickets overdue, not yet due and due within 48 h of the anchor', async () => {
    const states = await openListStates(tdb);
    expect(states['not_due']).toBeGreaterThan(0);
    expect(states['overdue']).toBeGreaterThan(0);
    expect(states['due_within_48h']).toBeGreaterThan(0);
    // A mix, not a backlog: neither state is almost everything.
    const open = states['not_due']! + states['overdue']!;
    expect(states['not_due']! / open).toBeGreaterThan(0.2);
    expect(states['overdue']! / open).toBeGreaterThan(0.2);
  });

  test('when the demo has run, then the tickets it closed left their open list in time and late, as many as the change closes', async () => {
    const states = await openListStates(tdb);
    expect(states['closed_in_time']).toBe(segments * DEMO_CHANGE.closedInTime);
    expect(states['closed_late']).toBe(segments * DEMO_CHANGE.closedLate);
    // Far from the boundary: hours between due time and the sync that found them gone.
    const [closest] = await tdb.query<{ hours: number }>(
      `SELECT min(abs(extract(epoch FROM m.gone_at - t.due_at)) / 3600)::float AS hours
         FROM detractor_ticket_segments m JOIN detractor_tickets t ON t.ticket_id = m.ticket_id
        WHERE m.status = 0 AND m.gone_at IS NOT NULL`,
    );
    expect(closest!.hours).toBeGreaterThan(6);
  });

  test('when the demo has run, then every ticket was created within 30 days before the anchor, in the vendor format', async () => {
    const [span] = await tdb.query<{ oldest: Date; newest: Date }>(
      `SELECT min(created_at) AS oldest, max(created_at) AS newest FROM detractor_tickets`,
    );
    expect(span!.oldest.getTime()).toBeGreaterThanOrEqual(anchor.getTime() - 30 * 24 * HOUR_MS);
    expect(span!.newest.getTime()).toBeLessThan(anchor.getTime());
    const stamps = await tdb.query<{ timestamp: string }>(`SELECT raw->>'timestamp' AS timestamp FROM detractor_tickets`);
    for (const { timestamp } of stamps) expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
    expect(stamps.filter((s) => s.timestamp.endsWith('+0000')).length).toBeGreaterThan(stamps.length / 2);
  });

  test('when the demo has run, then its ticketIDs are the generator’s list IDs, arrivals included', async () => {
    const expected = demoLists().flatMap(({ segmentId, status, count }) => {
      const slots = status === 0 ? count + DEMO_CHANGE.arrivals : count;
      return Array.from({ length: slots }, (_, i) => segmentId * 1e9 + status * 1e6 + i + 1);
    });
    const rows = await tdb.query<{ ticket_id: string }>(`SELECT ticket_id FROM detractor_tickets ORDER BY 1`);
    expect(rows.map((r) => Number(r.ticket_id))).toEqual(expected.sort((a, b) => a - b));
    expect(expected).toContain(101_000_000_001);
  });

  test('when the demo runs on two databases with the same anchor, then their ticket rows are identical', async () => {
    expect(await ticketRows(twin)).toEqual(await ticketRows(tdb));
  });

  test('when the demo runs again on its database, then one sync probes the open lists, reads the closed ones once and finds nothing changed', async () => {
    expect(rerun.map((r) => r.status)).toEqual(['succeeded']);
    const lists = rerun[0]!.lists;
    expect(lists).toHaveLength(segments * DEMO_STATUSES.length);
    for (const l of lists) {
      // Open lists are served newest first: page 1 says nothing changed. Closed tickets join
      // their list on top, out of ticketID order: those lists are read whole, and match.
      const expected = l.status === 0 ? [1, false, 1] : [1, true, Math.ceil(l.counts.totalItems! / PER_PAGE)];
      expect([l.counts.passes, l.verified, l.counts.apiCalls]).toEqual(expected);
    }
    expect(sum(rerun, (c) => c.ticketsInserted + c.ticketsUpdated + c.ticketsGone)).toBe(0);
    expect(await ticketRows(tdb)).toEqual(rowsAfterFresh);
  });

  test('when the demo database is read for the summary, then its totals agree with the tables and its anchor is the first run', async () => {
    const totals = await demoTotals(tdb.db, DEMO_OPEN_STATUS);
    const states = await openListStates(tdb);
    expect(totals).toMatchObject({
      open: states['not_due']! + states['overdue']!,
      closedInTime: states['closed_in_time'],
      closedLate: states['closed_late'],
    });
    const [first] = await tdb.query<{ started_at: Date }>(
      `SELECT min(started_at) AS started_at FROM sync_runs WHERE trigger = 'demo'`,
    );
    const minute = Math.floor(first!.started_at.getTime() / 60_000) * 60_000;
    expect(await readDemoAnchor(tdb.db)).toEqual({ anchor: new Date(minute), fresh: false });
  });
});

describe('the demo anchor on a database without demo runs', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase('demo');
  });
  afterAll(async () => {
    await tdb?.close();
  });

  test('when no demo has run, then the anchor is now to the minute and the database is fresh', async () => {
    const before = Date.now();
    const { anchor: now, fresh } = await readDemoAnchor(tdb.db);
    expect(fresh).toBe(true);
    expect(now.getTime() % 60_000).toBe(0);
    expect(now.getTime()).toBeGreaterThan(before - 2 * 60_000);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
