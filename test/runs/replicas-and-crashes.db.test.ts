import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { startCli, runCli, type CliProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { answered, gate, holdRequests } from '../support/hold-requests.js';
import { waitFor } from '../support/poll.js';
import { compareWithSource, expectMatchesSource } from '../support/source-truth.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

const KEY = 'replica-key-2b7c-must-not-leak';
const LISTS: Array<[number, number]> = [
  [801, 0],
  [802, 0],
  [803, 0],
];

/** How many times each list's page 1 was fetched: once per pass. */
function firstPageReads(sim: QuestionProSimulator): Record<string, number> {
  const reads: Record<string, number> = {};
  for (const r of sim.requests)
    if (r.page === 1 && r.httpStatus === 200)
      reads[`${r.segmentId}/${r.status}`] = (reads[`${r.segmentId}/${r.status}`] ?? 0) + 1;
  return reads;
}

describe('several workers on one database', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ segments: [801, 802, 803], ticketsPerList: 40, perPage: 10 });
  });
  afterEach(async () => h.close());

  test('when two runs start together in one process, then each list is fetched by one of them and both succeed', async () => {
    // The two runs overlap: no list is read before both have started.
    const bothStarted = waitFor(async () => {
      const [runs] = await h.tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_runs');
      return runs?.n === 2 ? true : undefined;
    });
    holdRequests(h.sim, () => bothStarted);

    const [a, b] = await Promise.all([h.run({ client: h.client() }), h.run({ client: h.client() })]);

    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(firstPageReads(h.sim)).toEqual({ '801/0': 1, '802/0': 1, '803/0': 1 }); // one read, one worker each
    const outcomes = await h.tdb.query<{ segment_id: string; outcomes: string[] }>(
      `SELECT segment_id, array_agg(outcome || ':' || coalesce(error_code, '') ORDER BY outcome) AS outcomes
       FROM sync_run_segments GROUP BY segment_id ORDER BY segment_id`,
    );
    for (const row of outcomes) {
      expect(row.outcomes).toHaveLength(2);
      expect(row.outcomes[0]).toMatch(/^skipped:LIST_(LOCKED|SYNCED_ELSEWHERE)$/);
      expect(row.outcomes[1]).toBe('succeeded:');
    }
    await expectMatchesSource(h.sim, h.tdb, LISTS);
  });
});

describe('worker processes that die or are stopped', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: LISTS.map(([segmentId, status]) => ({ segmentId, status, count: 60 })),
    });
  });
  beforeEach(async () => {
    tdb = await createTestDatabase();
    sim.clearFaults();
    sim.onRequest(undefined);
    sim.requests.length = 0;
  });
  afterEach(async () => tdb.close());
  afterAll(async () => sim.close());

  const env = (extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '801,802,803',
    SYNC_PAGE_SIZE: '10',
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '50',
    DATABASE_URL: tdb.url,
    ...extra,
  });

  test('when two `npm run sync` start together, then each list is fetched once between them and both exit 0', async () => {
    const [a, b] = [startCli(['sync'], env()), startCli(['sync'], env())];
    // However far apart the two processes start, they overlap: no list is read before both runs have started.
    const started = (cli: CliProcess) => cli.waitForLine((l) => l['msg'] === 'run started');
    const bothStarted = Promise.all([started(a), started(b)]);
    holdRequests(sim, () => bothStarted);

    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    expect(firstPageReads(sim)).toEqual({ '801/0': 1, '802/0': 1, '803/0': 1 });
    const skipped = [...a.lines(), ...b.lines()].filter((l) => l['msg'] === 'list skipped');
    expect(skipped).toHaveLength(3);
    await expectMatchesSource(sim, tdb, LISTS);
  });

  test('when a worker is killed with -9 mid-run, then the next run completes and marks the dead run abandoned', async () => {
    // Lists 802 and 803 get no page 2 until the victim is dead: it dies mid-run, whatever the load.
    const killed = gate();
    holdRequests(sim, (request) => (request.segmentId !== 801 && request.page === 2 ? killed.opened : undefined));
    const victim = startCli(['sync'], env());
    await victim.waitForLine((l) => l['msg'] === 'page stored' && l['segmentId'] === 802);
    victim.child.kill('SIGKILL');
    await victim.exited;
    killed.open();

    const next = await runCli(['sync'], env());

    expect(next.code).toBe(0);
    const runs = await tdb.query<{ id: string; status: string; error_code: string | null; finished_at: Date | null }>(
      'SELECT id, status, error_code, finished_at FROM sync_runs ORDER BY id',
    );
    expect(runs.map((r) => [r.id, r.status, r.error_code])).toEqual([
      ['1', 'abandoned', 'RUN_ABANDONED'],
      ['2', 'succeeded', null],
    ]);
    expect(runs[0]?.finished_at).toBeInstanceOf(Date);
    const dead = await tdb.query<{ outcome: string; error_code: string | null }>(
      'SELECT outcome, error_code FROM sync_run_segments WHERE run_id = 1',
    );
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.filter((l) => l.outcome === 'running')).toEqual([]); // every list it left running is closed
    expect(dead.some((l) => l.outcome === 'aborted' && l.error_code === 'RUN_ABANDONED')).toBe(true);
    expect(next.lines.some((l) => l['msg'] === 'run left by a dead worker marked abandoned' && l['abandonedRunId'] === '1')).toBe(
      true,
    );
    await expectMatchesSource(sim, tdb, LISTS);
  });

  test('when SIGTERM arrives during a long backoff wait, then the sync stops at once and records the run aborted', async () => {
    sim.injectFault({ kind: '503-html', times: 100, match: { segmentId: 801, page: 3 } });
    // Whatever the load, 802 and 803 are mid-crawl at SIGTERM: 801's page 3 (the 503, then the
    // backoff) waits until they have their first page, their page 2 until the process is gone.
    const othersStarted = Promise.all([802, 803].map((s) => answered(sim, (a) => a.segmentId === s && a.page === 1)));
    const exited = gate();
    holdRequests(sim, (request) => {
      if (request.segmentId === 801) return request.page === 3 ? othersStarted : undefined;
      return request.page === 2 ? exited.opened : undefined;
    });
    const worker = startCli(['sync'], env({ RETRY_MIN_DELAY_MS: '600000', RETRY_MAX_DELAY_MS: '600000' }));
    await worker.waitForLine((l) => l['msg'] === 'api call failed' && l['httpStatus'] === 503);

    worker.child.kill('SIGTERM');
    // A ten-minute backoff is under way: exiting at all proves the wait was interrupted.
    const code = await worker.exited;
    exited.open();

    expect(code).toBe(1);
    const [run] = await tdb.query<{ status: string }>('SELECT status FROM sync_runs');
    expect(run?.status).toBe('aborted');
    const lists = await tdb.query<{ outcome: string; pages: number }>(
      'SELECT outcome, pages FROM sync_run_segments ORDER BY segment_id',
    );
    expect(lists.map((l) => l.outcome)).toEqual(['aborted', 'aborted', 'aborted']);
    // Whole pages only: every list holds a multiple of the page size, each ticket intact.
    const perList = await tdb.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM detractor_ticket_segments GROUP BY segment_id',
    );
    expect(perList.every((l) => l.n % 10 === 0)).toBe(true);
    const report = await compareWithSource(sim, tdb, LISTS);
    expect(report.wrong).toEqual([]);
  });
});
