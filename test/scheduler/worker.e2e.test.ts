import { describe, expect, test } from '@jest/globals';
import { differences, ticketRows } from '../support/expectations.js';
import { workerPerTest } from '../support/worker-under-test.js';

const KEY = 'worker-key-6d0f55aa-must-not-leak';

describe('npm start (the long-running worker as a child process)', () => {
  const workers = workerPerTest({
    apiKey: KEY,
    lists: [
      { segmentId: 601, status: 0, count: 200 },
      { segmentId: 602, status: 0, count: 200 },
    ],
  });

  test('when SIGTERM arrives mid-run, then the page being written commits, the run is recorded aborted and it exits 0', async () => {
    workers.sim.setLatency(100);
    const worker = await workers.start({ SYNC_RUN_ON_START: 'true' });
    await worker.waitForLine((l) => l['msg'] === 'page stored' && l['page'] === 3);

    const code = await worker.stop();
    expect(code).toBe(0);
    const [run] = await workers.tdb.query<{ status: string; trigger: string; finished_at: Date | null }>(
      'SELECT status, trigger, finished_at FROM sync_runs',
    );
    expect(run).toMatchObject({ status: 'aborted', trigger: 'startup' });
    expect(run?.finished_at).toBeInstanceOf(Date);
    const lists = await workers.tdb.query<{ segment_id: string; outcome: string; pages: number }>(
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
    const rows = await ticketRows(workers.tdb);
    expect(rows.size).toBe(pages * 10);
    const truth = [...workers.sim.list(601, 0), ...workers.sim.list(602, 0)].filter((t) => rows.has(t.ticketID));
    expect(truth).toHaveLength(rows.size);
    expect(truth.flatMap((t) => differences(rows.get(t.ticketID), t, 0))).toEqual([]);
    expect(worker.stdout()).toContain('"msg":"worker stopped"');
    expect(worker.stdout() + worker.stderr()).not.toContain(KEY);
  });

  test('when the schedule ticks faster than a run lasts, then runs never overlap', async () => {
    workers.sim.setLatency(30);
    // Every second; each run takes ~1.2 s (40 pages × 30 ms).
    const worker = await workers.start({ SYNC_CRON: '* * * * * *', SYNC_RUN_ON_START: 'false' });
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

    const runs = await workers.tdb.query<{ started_at: Date; finished_at: Date; trigger: string; status: string }>(
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
