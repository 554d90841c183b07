import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { DEFAULT_MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';

const KEY = 'guard-key-0b7e14c2-must-not-leak';
/** Left behind by a newer build than this one. */
const FUTURE = '20991231000000_from_a_newer_build';

describe('a database ahead of this build (the built CLI as a child process)', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let newestKnown: string;
  let worker: CliProcess | undefined;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 701, status: 0, count: 5 }] });
    newestKnown = (await readMigrations(DEFAULT_MIGRATIONS_DIR)).at(-1)!.name;
    tdb = await createTestDatabase('guard');
    await tdb.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES (gen_random_uuid(), repeat('a', 64), $1, now(), now(), 1)`,
      [FUTURE],
    );
  });
  afterEach(() => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '701',
    DATABASE_URL: tdb.url,
    ...extra,
  });

  test('when `sync` runs, then it exits 2 naming both migrations, without a stack trace or an API call', async () => {
    const requestsBefore = sim.requests.length;
    const result = await runCli(['sync'], env());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `detractor-sync: the database is ahead of this build: its newest applied migration is ${FUTURE}, ` +
        `this build's newest is ${newestKnown}`,
    );
    expect(result.stderr).toContain('or set MIGRATIONS_ALLOW_MISMATCH=true');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(sim.requests.length).toBe(requestsBefore);
    expect(await tdb.query('SELECT id FROM sync_runs')).toEqual([]);
  });

  test('when the worker starts, then it stops with exit code 2 instead of retrying every tick', async () => {
    const stateFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'guard-worker-')), 'worker.json');
    worker = startCli(
      ['worker'],
      env({ SYNC_CRON: '* * * * * *', SYNC_RUN_ON_START: 'true', HTTP_PORT: '0', WORKER_STATE_FILE: stateFile }),
    );

    expect(await worker.exited).toBe(2);
    const stopping = worker.lines().find((l) => l['msg'] === 'worker stopping: this needs an operator, retrying cannot fix it');
    expect(stopping).toMatchObject({ code: 'MIGRATION_AHEAD', errMessage: expect.stringContaining(FUTURE) as unknown });
    expect(worker.lines().filter((l) => l['msg'] === 'run could not start')).toHaveLength(1);
    expect(worker.lines().at(-1)).toMatchObject({ msg: 'worker stopped', exitCode: 2 });
  });

  test('when MIGRATIONS_ALLOW_MISMATCH=true, then `sync` warns and syncs', async () => {
    const result = await runCli(['sync'], env({ MIGRATIONS_ALLOW_MISMATCH: 'true' }));

    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.lines.find((l) => l['code'] === 'MIGRATION_AHEAD')).toMatchObject({ level: 40, migrations: [FUTURE] });
    expect(await tdb.query('SELECT ticket_id FROM detractor_tickets')).toHaveLength(5);
  });
});
