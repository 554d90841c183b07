import { afterEach, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { freePort } from '../../src/db/embedded-postgres.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { expectMatchesSource } from '../support/source-truth.js';
import { startHarness, type Harness } from '../support/sync-harness.js';
import { startWorker, unreachableDatabaseUrl } from '../support/worker-under-test.js';

/** Ends every other connection to the database, as a restart or a DBA would. */
async function terminateConnections(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('database connections dropped mid-run', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when every connection is terminated during a crawl, then the sync reconnects and loses nothing', async () => {
    h = await startHarness({ segments: [901, 902], ticketsPerList: 60, perPage: 10 });
    let terminated = 0;
    let done = false;
    h.sim.onRequest(async (req) => {
      if (!done && req.segmentId === 901 && req.page === 4) {
        done = true;
        terminated = await terminateConnections(h.tdb.url);
      }
    });

    const report = await h.run();

    expect(terminated).toBeGreaterThan(1); // the pool's and the lock connection at least
    expect(report.status).toBe('succeeded');
    await expectMatchesSource(h.sim, h.tdb, [
      [901, 0],
      [902, 0],
    ]);
    const lines = h.logs.lines();
    expect(
      lines.some(
        (l) => l['msg'] === 'database connection lost, retrying' || String(l['msg']).startsWith('run bookkeeping connection'),
      ),
    ).toBe(true);
  });
});

describe('database unreachable at start', () => {
  const KEY = 'db-down-key';

  test('when `npm run sync` cannot reach the database, then it exits 1 naming the database (password masked)', async () => {
    const port = await freePort();
    const result = await runCli(['sync'], {
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: 'http://127.0.0.1:9/a/api/v2',
      SYNC_SEGMENTS: '1',
      DATABASE_URL: `postgresql://postgres:s3cret@127.0.0.1:${port}/detractors`,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the database at postgresql://postgres:****@127.0.0.1:${port}/detractors`);
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });

  test('when the worker cannot reach the database, then it keeps running and retries with growing backoff', async () => {
    const sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 1, status: 0, count: 5 }] });
    const worker = await startWorker({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: await unreachableDatabaseUrl(),
      segments: [1],
      env: { SYNC_CRON: '* * * * * *' },
    });
    try {
      await worker.waitForLine((l) => l['msg'] === 'run could not start' && l['failures'] === 3, 30_000);
      await worker.waitForLine((l) => l['msg'] === 'run skipped: backing off after failures');

      const failures = worker.lines().filter((l) => l['msg'] === 'run could not start');
      expect(failures.map((l) => l['backoffMs']).slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
      expect(String(failures[0]?.['errMessage'])).toMatch(/cannot reach the database/);
      expect(worker.child.exitCode).toBeNull(); // still running
      expect(sim.requests).toHaveLength(0); // no API call without a database to store into
      expect(await worker.stop()).toBe(0);
    } finally {
      await worker.stop();
      await sim.close();
    }
  });
});
