import { afterEach, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startWorker, zoneAtNoon, type WorkerUnderTest } from '../support/worker-under-test.js';

const KEY = 'budget-key-9e1c44d0-never-logged';

describe('the API call budget, across processes (the built CLI)', () => {
  let sim: QuestionProSimulator | undefined;
  let tdb: TestDatabase | undefined;
  let worker: WorkerUnderTest | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await sim?.close();
    await tdb?.close();
  });

  const env = (extra: Record<string, string>) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim!.baseUrl,
    SYNC_PAGE_SIZE: '10',
    DATABASE_URL: tdb!.url,
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '200',
    ...extra,
  });

  test('when two processes share a key and a limit of 20 calls a minute, then a 22-call sync (more than a minute of calls) gets no 429', async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      rateLimitPerMinute: 20,
      lists: [
        { segmentId: 771, status: 0, count: 105 },
        { segmentId: 772, status: 0, count: 105 },
      ],
    });
    tdb = await createTestDatabase();
    const both = { SYNC_SEGMENTS: '771,772', API_RATE_LIMIT_PER_MIN: '20' };

    const [a, b] = await Promise.all([runCli(['sync'], env(both)), runCli(['sync'], env(both))]);

    expect([a.code, b.code]).toEqual([0, 0]);
    // Each list read once (11 pages, verified: nothing stored that it did not see) by one of the two processes.
    expect(sim.callsByKey(KEY)).toBe(22);
    expect(sim.requests.filter((r) => r.httpStatus === 429)).toEqual([]);
    const [row] = await tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_tickets');
    expect(row?.n).toBe(210);
    const [calls] = await tdb.query<{ n: number }>('SELECT sum(api_calls)::int AS n FROM sync_runs');
    expect(calls?.n).toBe(22);
  }, 300_000);

  test("when two processes share a key at exactly the server's limit, then five runs in a row get no 429 (a 2 s window, so the boundary comes often)", async () => {
    // 3 calls in any 2 s at the server, and API_RATE_LIMIT_PER_MIN=3 per API_RATE_WINDOW_SECONDS=2 here:
    // every fourth call waits for the window, whichever process claimed the calls before it.
    const runs = 5;
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      rateLimitPerMinute: 3,
      rateWindowMs: 2_000,
      lists: Array.from({ length: runs * 2 }, (_, i) => ({ segmentId: 801 + i, status: 0, count: 35 })),
    });
    tdb = await createTestDatabase();
    const limit = { API_RATE_LIMIT_PER_MIN: '3', API_RATE_WINDOW_SECONDS: '2' };

    for (let run = 0; run < runs; run++) {
      // Each process its own list (a fresh one, read fully: 4 pages), so both spend calls at once.
      const [a, b] = await Promise.all([
        runCli(['sync'], env({ ...limit, SYNC_SEGMENTS: String(801 + 2 * run) })),
        runCli(['sync'], env({ ...limit, SYNC_SEGMENTS: String(802 + 2 * run) })),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
    }

    expect(sim.callsByKey(KEY)).toBe(runs * 8);
    expect(sim.requests.filter((r) => r.httpStatus === 429)).toEqual([]);
  }, 300_000);

  test('when nothing changed since the first sync, then a sync costs one call (a probe of page 1)', async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 791, status: 0, count: 35 }] });
    tdb = await createTestDatabase();

    expect((await runCli(['sync'], env({ SYNC_SEGMENTS: '791' }))).code).toBe(0);
    const before = sim.callsByKey(KEY);
    expect((await runCli(['sync'], env({ SYNC_SEGMENTS: '791' }))).code).toBe(0);

    expect(before).toBe(4); // the first sync: one read of 4 pages (35 tickets, 10 a page), verified
    expect(sim.callsByKey(KEY) - before).toBe(1);
    const runs = await tdb.query<{ api_calls: number }>('SELECT api_calls FROM sync_runs ORDER BY id');
    expect(runs.map((r) => r.api_calls)).toEqual([4, 1]);
  });

  test('when the budget defers every list of a sync and nothing fails, then it exits 0 with a line saying so (a CronJob is not failed)', async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 761, status: 0, count: 5 },
        { segmentId: 762, status: 0, count: 5 },
      ],
    });
    tdb = await createTestDatabase();
    const oneCall = { SYNC_SEGMENTS: '761,762', API_CALL_BUDGET: '1', API_BUDGET_PERIOD: 'day', SYNC_TIMEZONE: zoneAtNoon() };
    // The budget's one call goes to the first sync (or that sync too defers everything).
    expect((await runCli(['sync'], env(oneCall))).code).toBe(0);
    const before = sim.callsByKey(KEY);

    const result = await runCli(['sync'], env(oneCall));

    expect(result.code).toBe(0);
    expect(sim.callsByKey(KEY)).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
    expect(result.lines.find((l) => l['msg'] === 'run finished')).toMatchObject({
      level: 40,
      runStatus: 'skipped',
      listsFailed: 0,
    });
    expect(result.lines.find((l) => l['msg'] === 'every list deferred by the API call budget: nothing failed')).toMatchObject({
      level: 40,
      deferred: 2,
      lists: 2,
      exitCode: 0,
    });
    expect(result.stderr).toBe('');
    const [run] = await tdb.query<{ status: string }>('SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1');
    expect(run?.status).toBe('skipped');
  });

  test('when a worker ticks every 5 s with a budget of 30 calls a day, then it spends at most 30, stays healthy and says why it waits', async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 781, status: 0, count: 15 },
        { segmentId: 781, status: 1, count: 5 },
      ],
    });
    tdb = await createTestDatabase();
    const budget = { API_CALL_BUDGET: '30', API_BUDGET_PERIOD: 'day', SYNC_TIMEZONE: zoneAtNoon() };
    worker = await startWorker({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: [781],
      env: { ...budget, SYNC_STATUSES: '0,1', SYNC_CRON: '*/5 * * * * *', RETRY_MAX_DELAY_MS: '200' },
    });
    await worker.waitForLine((l) => l['msg'] === 'run finished' && l['runStatus'] === 'succeeded', 30_000);
    // The budget's line (half the day's calls by noon, plus one run) runs out: ticks are deferred.
    await worker.waitForLine((l) => l['msg'] === 'run finished' && l['runStatus'] === 'skipped', 60_000);
    const health = await fetch(`${worker.url}/healthz`);
    // The worker takes in a run's outcome once the run's tick is over (notifications and
    // the history prune come after 'run finished'): ask until it has.
    let ready = await fetch(`${worker.url}/readyz`);
    for (let tries = 0; ready.status !== 503 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = await fetch(`${worker.url}/readyz`);
    }
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(await worker.stop()).toBe(0);

    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reasons: string[] }).reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^api budget: the last run deferred 1 open list\(s\) \(segment 781 status 0\)/),
      ]),
    );
    expect(metrics).toMatch(/^detractor_sync_api_budget_calls 30$/m);
    expect(metrics).toMatch(/^detractor_sync_budget_deferrals_total\{segment_id="781",status="0"\} [1-9]/m);
    const spent = sim.callsByKey(KEY);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(30);
    const runs = (await tdb.query<{ status: string }>('SELECT status FROM sync_runs ORDER BY id')).map((r) => r.status);
    const firstSkipped = runs.indexOf('skipped');
    expect(firstSkipped).toBeGreaterThan(0);
    expect(runs.slice(0, firstSkipped).every((s) => s === 'succeeded')).toBe(true);
    const deferred = await tdb.query<{ error_code: string }>(
      "SELECT DISTINCT error_code FROM sync_run_segments WHERE outcome = 'skipped'",
    );
    expect(deferred).toEqual([{ error_code: 'BUDGET_DEFERRED' }]);

    const status = await runCli(['status', '--json'], { DATABASE_URL: tdb.url, QUESTIONPRO_API_KEY: KEY, ...budget });
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { apiBudget: Record<string, unknown> };
    expect(report.apiBudget).toMatchObject({ budget: 30, used: spent, remaining: 30 - spent, period: 'day' });
    expect(report.apiBudget).toEqual(
      expect.objectContaining({
        periodStart: expect.any(String),
        periodEnd: expect.any(String),
        projectedAtPeriodEnd: expect.any(Number),
      }),
    );
  });
});
