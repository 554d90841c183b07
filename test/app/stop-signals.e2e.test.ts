import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { REPEAT_GRACE_MS } from '../../src/app/stop-signals.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { startNpmScript, type CliProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/poll.js';

const KEY = 'stop-key-5be0c2d4-must-not-leak';

/**
 * A stop signal sent to the process group of a documented npm script, as a terminal's
 * Ctrl-C or a supervisor does: npm gets it and forwards it, so the service receives it
 * twice within milliseconds. The run must still be recorded `aborted`, never left `running`.
 */
describe('stop signals to the process group of npm run sync and npm start', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let started: CliProcess | undefined;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 801, status: 0, count: 400 },
        { segmentId: 802, status: 0, count: 400 },
      ],
    });
  });
  afterEach(async () => {
    if (started?.child.pid && started.child.exitCode === null) process.kill(-started.child.pid, 'SIGKILL');
    sim.setLatency(0);
    await tdb.close();
  });
  afterAll(async () => sim.close());

  const env = (extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '801,802',
    SYNC_PAGE_SIZE: '10',
    DATABASE_URL: tdb.url,
    HTTP_PORT: '0',
    LOG_LEVEL: 'debug',
    ...extra,
  });
  const runs = () =>
    tdb.query<{ status: string; error_code: string | null; error_message: string | null }>(
      'SELECT status, error_code, error_message FROM sync_runs',
    );
  const signalGroup = (signal: NodeJS.Signals) => process.kill(-started!.child.pid!, signal);

  test.each([
    { name: 'npm run sync', script: ['run', '-s', 'sync'], exitCode: 1 },
    { name: 'npm start', script: ['start', '-s'], exitCode: 0 },
  ])(
    'when the group of $name gets SIGTERM mid-run, then the run is recorded aborted and it exits $exitCode',
    async ({ script, exitCode }) => {
      tdb = await createTestDatabase();
      sim.setLatency(50);
      started = startNpmScript(script, env({ SYNC_CRON: '0 0 1 1 *' }));
      await started.waitForLine((l) => l['msg'] === 'page stored' && l['page'] === 3);

      signalGroup('SIGTERM');

      expect(await started.exited).toBe(exitCode);
      expect(await runs()).toEqual([expect.objectContaining({ status: 'aborted' })]);
      const lines = started.lines();
      // npm forwards the signal the group already delivered: the service gets it twice (unless the
      // two coalesce while pending), and the repeat must neither start a second stop nor force one.
      expect(lines.filter((l) => l['msg'] === 'shutdown requested')).toHaveLength(1);
      expect(lines.some((l) => l['msg'] === 'stopping forcefully')).toBe(false);
    },
  );

  describe('when the graceful stop cannot finish (a page write waits for a lock another session holds)', () => {
    let holder: pg.Client;
    afterEach(async () => {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    });

    /** From before the sync starts: its first page write then waits, whatever pages it has fetched. */
    async function blockPageWrites(): Promise<void> {
      holder = new pg.Client({ connectionString: tdb.url });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE detractor_tickets IN ACCESS EXCLUSIVE MODE');
    }

    /** Resolves once a session of the sync waits for that lock: a page write is under way and cannot end. */
    const writeWaiting = () =>
      waitFor(async () => {
        const [row] = await tdb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return row!.n > 0 ? true : undefined;
      });

    test('when SHUTDOWN_TIMEOUT_MS passes, then the stop turns forceful, records the run aborted and exits 1', async () => {
      tdb = await createTestDatabase();
      sim.setLatency(50);
      await blockPageWrites();
      started = startNpmScript(['run', '-s', 'sync'], env({ SHUTDOWN_TIMEOUT_MS: '1000' }));
      await writeWaiting();

      signalGroup('SIGTERM');

      expect(await started.exited).toBe(1);
      const [run] = await runs();
      expect(run).toMatchObject({ status: 'aborted', error_code: 'ABORTED' });
      expect(run?.error_message).toMatch(/^forced stop: the stop took longer than SHUTDOWN_TIMEOUT_MS \(1000 ms\)/);
      expect(started.lines().some((l) => l['msg'] === 'run recorded aborted by the forced stop')).toBe(true);
    });

    test('when a second signal comes after the grace, then the stop turns forceful at once and records the run aborted', async () => {
      tdb = await createTestDatabase();
      sim.setLatency(50);
      await blockPageWrites();
      started = startNpmScript(['run', '-s', 'sync'], env({ SHUTDOWN_TIMEOUT_MS: '600000' }));
      await writeWaiting();

      signalGroup('SIGINT');
      await started.waitForLine((l) => l['msg'] === 'shutdown requested');
      // What is under test is the grace itself: a repeat after it is deliberate.
      await sleep(REPEAT_GRACE_MS + 500);
      signalGroup('SIGINT');

      expect(await started.exited).toBe(1);
      const [run] = await runs();
      expect(run).toMatchObject({ status: 'aborted', error_code: 'ABORTED' });
      expect(run?.error_message).toBe('forced stop: SIGINT again while stopping');
    });
  });
});
