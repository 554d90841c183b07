import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { differences, ticketRows } from '../support/expectations.js';
import { startWorker, type WorkerUnderTest } from '../support/worker-under-test.js';

const KEY = 'worker-key-6d0f55aa-must-not-leak';

describe('npm start (the long-running worker as a child process)', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let worker: WorkerUnderTest | undefined;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 601, status: 0, count: 200 },
        { segmentId: 602, status: 0, count: 200 },
      ],
    });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    sim.setLatency(0);
    await tdb.close();
  });
  afterAll(async () => sim.close());

  const start = (env: Record<string, string>) =>
    startWorker({ apiKey: KEY, baseUrl: sim.baseUrl, databaseUrl: tdb.url, segments: [601, 602], env });

  test('when SIGTERM arrives mid-run, then the page being written commits, the run is recorded aborted and it exits 0', async () => {
    tdb = await createTestDatabase();
    sim.setLatency(100);
    worker = await start({ SYNC_RUN_ON_START: 'true' });
    await worker.waitForLine((l) => l['msg'] === 'page stored' && l['page'] === 3);

    const code = await worker.stop();
    expect(code).toBe(0);
    const [run] = await tdb.query<{ status: string; trigger: string; finished_at: Date | null }>(
      'SELECT status, trigger, finished_at FROM sync_runs',
    );
    expect(run).toMatchObject({ status: 'aborted', trigger: 'startup' });
    expect(run?.finished_at).toBeInstanceOf(Date);
    const lists = await tdb.query<{ segment_id: string; outcome: string; pages: number }>(
      'SELECT segment_id, outcome, pages FROM sync_run_segments ORDER BY segment_id',
    );
    // Both lists were being read (concurrently); a list not yet started would be `skipped`.
    expect(lists.map((l) => [Number(l.segment_id), l.outcome])).toEqual([
      [601, 'aborted'],
      [602, 'aborted'],
    ]);
    // Nothing half-written: exactly the recorded pages are stored, each completely and correctly.
    const pages = lists.reduce((n, l) => n + l.pages, 0);
    expect(pages).toBeGreaterThanOrEqual(3);
    const rows = await ticketRows(tdb);
    expect(rows.size).toBe(pages * 10);
    const truth = [...sim.list(601, 0), ...sim.list(602, 0)].filter((t) => rows.has(t.ticketID));
    expect(truth).toHaveLength(rows.size);
    expect(truth.flatMap((t) => differences(rows.get(t.ticketID), t, 0))).toEqual([]);
    expect(worker.stdout()).toContain('"msg":"worker stopped"');
    expect(worker.stdout() + worker.stderr()).not.toContain(KEY);
  });

  test('when the schedule ticks faster than a run lasts, then runs never overlap', async () => {
    tdb = await createTestDatabase();
    sim.setLatency(30);
    // Every second; each run takes ~1.2 s (40 pages × 30 ms).
    worker = await start({ SYNC_CRON: '* * * * * *', SYNC_RUN_ON_START: 'false' });
    await worker.waitForLine((l) => l['msg'] === 'run finished', 30_000);
    await worker.waitForLine((l) => l['msg'] === 'run started' && l['runId'] === '2', 30_000);
    await worker.waitForLine((l) => l['msg'] === 'run finished' && l['runId'] === '2', 30_000);
    expect(await worker.stop()).toBe(0);
    // Every line is JSON, node-cron's own messages included (routed through pino).
    const notJson = worker
      .stdout()
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('{'));
    expect(notJson).toEqual([]);

    const runs = await tdb.query<{ started_at: Date; finished_at: Date; trigger: string; status: string }>(
      'SELECT started_at, finished_at, trigger, status FROM sync_runs ORDER BY id',
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.trigger === 'cron')).toBe(true);
    expect(runs.slice(0, 2).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finished_at.getTime());
    }
  });
});
