import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { openRuntime } from '../../src/app/runtime.js';
import { readBudgetStatus } from '../../src/budget/budget-status.js';
import { keyFingerprint } from '../../src/budget/call-ledger.js';
import { loadConfig } from '../../src/config/config.js';
import { listsFor } from '../../src/lists/list.js';
import { readStatusReport } from '../../src/observability/status-report.js';
import { pruneHistory, RETENTION_LOCK_KEY, type RetentionLimits } from '../../src/runs/retention.js';
import { startHarness, TEST_API_KEY, type Harness } from '../support/sync-harness.js';

// Retention (RETENTION_DAYS): run records and ledger minutes older than the window are
// pruned after each run, a bounded number of batches at a time, by one replica at a
// time; what the budget, the forecast, the status and each list's state read stays.

const LIST = 931;
/** A list attempted only long ago: its state must outlive its records. */
const OLD_LIST = 932;
const OLD_RUNS = 2_500;
const FP = keyFingerprint(TEST_API_KEY);

/**
 * Runs with one list record each: `count` runs `daysAgo` days back, a minute apart,
 * through the trigger that keeps sync_lists, as the service would have written them.
 */
async function seedRuns(h: Harness, count: number, daysAgo: number, segment = LIST): Promise<void> {
  await h.tdb.query(
    `WITH runs AS (
       INSERT INTO sync_runs (trigger, status, started_at, finished_at, lists_total, pages, api_calls)
       SELECT 'cron', 'succeeded', t, t + interval '1 second', 1, 1, 1
       FROM generate_series(1, $1::int) AS g, LATERAL (SELECT now() - $2::int * interval '1 day' + g * interval '1 minute' AS t) AS x
       RETURNING id, started_at)
     INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, started_at, finished_at, pages, total_items, verified)
     SELECT id, $3, 0, 'succeeded', started_at, started_at + interval '1 second', 1, 25, true FROM runs`,
    [count, daysAgo, segment],
  );
}

/** Ledger minutes, hourly, from `fromDays` to `toDays` days back: sent and ok. */
async function seedLedger(h: Harness, fromDays: number, toDays: number): Promise<void> {
  await h.tdb.query(
    `INSERT INTO api_call_ledger (key_fingerprint, minute, outcome, calls)
     SELECT $1, date_trunc('hour', t), o, 3
     FROM generate_series(now() - $2::int * interval '1 day', now() - $3::int * interval '1 day', interval '1 hour') AS t,
          unnest(ARRAY['sent', 'ok']) AS o
     ON CONFLICT DO NOTHING`,
    [FP, fromDays, toDays],
  );
}

async function counts(h: Harness, olderThanDays: number) {
  type Counts = Record<
    'old_runs' | 'old_lists' | 'runs' | 'lists' | 'old_ledger' | 'ledger' | 'tickets' | 'memberships' | 'versions' | 'rejects',
    number
  >;
  const [row] = await h.tdb.query<Counts>(
    `SELECT (SELECT count(*) FROM sync_runs WHERE started_at < now() - $1::int * interval '1 day')::int AS old_runs,
            (SELECT count(*) FROM sync_run_segments WHERE started_at < now() - $1::int * interval '1 day')::int AS old_lists,
            (SELECT count(*) FROM sync_runs)::int AS runs,
            (SELECT count(*) FROM sync_run_segments)::int AS lists,
            (SELECT count(*) FROM api_call_ledger WHERE minute < now() - greatest($1::int, 35) * interval '1 day')::int AS old_ledger,
            (SELECT count(*) FROM api_call_ledger)::int AS ledger,
            (SELECT count(*) FROM detractor_tickets)::int AS tickets,
            (SELECT count(*) FROM detractor_ticket_segments)::int AS memberships,
            (SELECT count(*) FROM detractor_ticket_versions)::int AS versions,
            (SELECT count(*) FROM sync_rejects)::int AS rejects`,
    [olderThanDays],
  );
  return row!;
}

const listStates = (h: Harness) => h.tdb.query('SELECT * FROM sync_lists ORDER BY segment_id, status');

describe('retention', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ segments: [LIST], ticketsPerList: 20 });
    await h.run(); // tickets, memberships, versions and a list state of today
    await seedRuns(h, OLD_RUNS, 400); // older than any window below
    await seedRuns(h, 40, 200, OLD_LIST);
    await seedRuns(h, 30, 10); // inside the window: the status shows these
    await seedLedger(h, 500, 2);
  });
  afterEach(async () => h.close());

  test('when a run ends with RETENTION_DAYS=90, then no run record or ledger minute older than the window remains, and nothing else is touched', async () => {
    // A run of long ago that a reject still points to: the rejects are not run bookkeeping.
    const [kept] = await h.tdb.query<{ id: string }>(`SELECT id FROM sync_runs ORDER BY started_at LIMIT 1`);
    await h.tdb.query(
      `INSERT INTO sync_rejects (run_id, segment_id, status, page, reason, raw, raw_text)
       VALUES ($1, ${LIST}, 0, 1, 'invalid', '{}', '{}')`,
      [kept!.id],
    );
    const before = await counts(h, 90);
    const statesBefore = await listStates(h);
    expect(before.old_runs).toBe(OLD_RUNS + 40);
    expect(before.old_ledger).toBeGreaterThan(10_000);

    const config = loadConfig({
      QUESTIONPRO_API_KEY: TEST_API_KEY,
      QUESTIONPRO_BASE_URL: h.sim.baseUrl,
      SYNC_SEGMENTS: String(LIST),
      DATABASE_URL: h.tdb.url,
      RETENTION_DAYS: '90',
      LOG_LEVEL: 'silent',
    });
    const runtime = await openRuntime(config, h.logs.log);
    try {
      const report = await runtime.sync('cli', listsFor([LIST], [0], 10));
      expect(report.status).toBe('succeeded');
    } finally {
      await runtime.close();
    }

    const after = await counts(h, 90);
    expect({ old_runs: after.old_runs, old_lists: after.old_lists, old_ledger: after.old_ledger }).toEqual({
      old_runs: 1,
      old_lists: 1,
      old_ledger: 0,
    });
    // The first sync's run, the 30 recent runs, the run just made and the one with a reject stay.
    expect(after.runs).toBe(1 + 30 + 1 + 1);
    expect(await h.tdb.query(`SELECT id FROM sync_runs WHERE id = $1`, [kept!.id])).toHaveLength(1);
    expect({ ...after, old_runs: 0, old_lists: 0, old_ledger: 0, runs: 0, lists: 0, ledger: 0 }).toEqual({
      ...before,
      old_runs: 0,
      old_lists: 0,
      old_ledger: 0,
      runs: 0,
      lists: 0,
      ledger: 0,
    });
    // Where each list stands is kept, also for a list whose every record was pruned.
    const statesAfter = await listStates(h);
    const oldList = (rows: Array<Record<string, unknown>>) => rows.find((r) => Number(r['segment_id']) === OLD_LIST);
    expect(oldList(statesAfter)).toEqual(oldList(statesBefore));
    expect(oldList(statesAfter)).toMatchObject({ last_outcome: 'succeeded' });
    const health = await h.tdb.query(`SELECT segment_id, last_success_at FROM v_sync_health WHERE segment_id = ${OLD_LIST}`);
    expect(health).toHaveLength(1);
    expect(h.logs.lines().find((l) => l['msg'] === 'run history older than the retention window pruned')).toMatchObject({
      runs: OLD_RUNS + 40 - 1,
      lists: OLD_RUNS + 40 - 1,
      complete: true,
    });
  });

  test('when a prune is limited, then it deletes at most its batches, oldest first, and the next prune goes on', async () => {
    const limits: RetentionLimits = { batchRuns: 100, batchLedgerRows: 100, maxBatches: 3 };
    const first = await pruneHistory(h.tdb.url, h.logs.log, 90, { limits });
    expect(first).toMatchObject({ runs: 300, lists: 300, ledgerRows: 0, batches: 3, complete: false });
    // Oldest first: what is left of the old runs is the newer part.
    const [oldest] = await h.tdb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sync_runs WHERE started_at < now() - 400 * interval '1 day' + 300 * interval '1 minute'`,
    );
    expect(oldest!.n).toBe(0);
    const second = await pruneHistory(h.tdb.url, h.logs.log, 90, { limits });
    expect(second).toMatchObject({ runs: 300, batches: 3, complete: false });
    expect((await counts(h, 90)).old_runs).toBe(OLD_RUNS + 40 - 600);
  });

  test('when history is pruned, then the budget, its forecast and the status report read the same as before', async () => {
    for (const period of [
      { period: 'month' as const, periodStartDay: 1, timezone: 'UTC' },
      { period: 'day' as const, periodStartDay: 1, timezone: 'Europe/Berlin' },
    ]) {
      const options = { runs: 20, apiKey: TEST_API_KEY, budget: 50_000, period };
      // `now` is the database's clock at each read; the list ages follow it.
      const stable = (report: Awaited<ReturnType<typeof readStatusReport>>) => ({
        ...report,
        lists: report.lists.map((l) => ({ ...l, age_s: null })),
        apiBudget: report.apiBudget && { ...report.apiBudget, now: null },
      });
      const budgetBefore = await readBudgetStatus(h.tdb.db, FP, 50_000, period);
      const statusBefore = stable(await readStatusReport(h.tdb.db, options));
      expect(statusBefore.apiBudget?.callsPerDay.some((d) => d.calls > 0)).toBe(true);

      const pruned = await pruneHistory(h.tdb.url, h.logs.log, 90);
      expect(pruned.complete).toBe(true);

      expect({ ...(await readBudgetStatus(h.tdb.db, FP, 50_000, period)), now: null }).toEqual({ ...budgetBefore, now: null });
      expect(stable(await readStatusReport(h.tdb.db, options))).toEqual(statusBefore);
    }
    // The shortest window still keeps 35 days of ledger (any budget period, the 14-day chart).
    const period = { period: 'month' as const, periodStartDay: 1, timezone: 'UTC' };
    const budgetBefore = await readBudgetStatus(h.tdb.db, FP, 50_000, period);
    const limits = { batchRuns: 1_000, batchLedgerRows: 5_000, maxBatches: 100 };
    expect(await pruneHistory(h.tdb.url, h.logs.log, 1, { limits })).toMatchObject({ complete: true });
    expect({ ...(await readBudgetStatus(h.tdb.db, FP, 50_000, period)), now: null }).toEqual({ ...budgetBefore, now: null });
    const [ledger] = await h.tdb.query<{ oldest_days: number }>(
      `SELECT extract(day FROM now() - min(minute))::int AS oldest_days FROM api_call_ledger`,
    );
    expect(ledger!.oldest_days).toBe(34);
  });

  test('when RETENTION_DAYS is 0, then a run keeps every record', async () => {
    const before = await counts(h, 90);
    const config = loadConfig({
      QUESTIONPRO_API_KEY: TEST_API_KEY,
      QUESTIONPRO_BASE_URL: h.sim.baseUrl,
      SYNC_SEGMENTS: String(LIST),
      DATABASE_URL: h.tdb.url,
      RETENTION_DAYS: '0',
    });
    const runtime = await openRuntime(config, h.logs.log);
    try {
      await runtime.sync('cli', listsFor([LIST], [0], 10));
    } finally {
      await runtime.close();
    }
    const after = await counts(h, 90);
    expect(after).toMatchObject({ old_runs: before.old_runs, old_lists: before.old_lists, old_ledger: before.old_ledger });
    expect(after.runs).toBe(before.runs + 1);
    expect(await pruneHistory(h.tdb.url, h.logs.log, 0)).toMatchObject({ skipped: 'disabled', runs: 0 });
  });

  test('when two replicas prune at once, then one prunes and the other skips, without an error', async () => {
    // A replica holding the lock: this one skips rather than waits.
    const replica = new pg.Client({ connectionString: h.tdb.url });
    await replica.connect();
    try {
      await replica.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [RETENTION_LOCK_KEY]);
      expect(await pruneHistory(h.tdb.url, h.logs.log, 90)).toMatchObject({ skipped: 'locked', runs: 0 });
      expect((await counts(h, 90)).old_runs).toBe(OLD_RUNS + 40);
    } finally {
      await replica.end();
    }
    // Both at once, in small batches: together they prune everything once, and nothing fails.
    const limits: RetentionLimits = { batchRuns: 50, batchLedgerRows: 500, maxBatches: 1_000 };
    const results = await Promise.all([
      pruneHistory(h.tdb.url, h.logs.log, 90, { limits }),
      pruneHistory(h.tdb.url, h.logs.log, 90, { limits }),
    ]);
    expect(results.reduce((n, r) => n + r.runs, 0)).toBe(OLD_RUNS + 40);
    expect(await counts(h, 90)).toMatchObject({ old_runs: 0, old_lists: 0, old_ledger: 0 });
    expect(h.logs.lines().filter((l) => l['msg'] === 'history not pruned: the next run tries again')).toEqual([]);
  });
});
