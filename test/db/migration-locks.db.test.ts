import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/db/migrate.js';
import { exitCodeFor, SyncError } from '../../src/errors.js';
import { captureLogger } from '../support/capture-logger.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Upgrading while others read: a dashboard left idle in transaction, or pg_dump, holds
 * ACCESS SHARE on every table and view. A migration that alters a table analysts read
 * must not make their next queries queue behind it for longer than its lock_timeout,
 * must land once the holder is gone, and must give up naming the holder when it never
 * goes, leaving nothing half-applied.
 */

/** The build's migrations plus one that needs ACCESS EXCLUSIVE on the table every view reads. */
const NEWEST = '20991231000000_alter_a_read_table';
const NEW_COLUMN = 'lock_test_note';
const LOCK_TIMEOUT_MS = 300;
/** A reader that waited this long was queued behind the migration far longer than its lock_timeout. */
const READER_TIMEOUT = '5s';
const HOLDER_APPLICATION = 'bi-dashboard-left-open';

async function migrationsWithNewest(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-locks-'));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  await mkdir(path.join(dir, NEWEST));
  await writeFile(path.join(dir, NEWEST, 'migration.sql'), `ALTER TABLE "detractor_tickets" ADD COLUMN "${NEW_COLUMN}" TEXT;\n`);
  return dir;
}

async function connect(url: string, application: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: application });
  await client.connect();
  return client;
}

describe('a migration while other sessions hold locks on what it alters', () => {
  let tdb: TestDatabase;
  let dir: string;
  let relations: string[];
  let holder: pg.Client;
  let holderPid: number;
  let reader: pg.Client;

  beforeEach(async () => {
    tdb = await createTestDatabase('locks');
    dir = await migrationsWithNewest();
    relations = (
      await tdb.query<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') ORDER BY 1`,
      )
    ).map((r) => r.relname);
    // Every table and view read in one open transaction, as pg_dump or an idle BI session does.
    holder = await connect(tdb.url, HOLDER_APPLICATION);
    holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN');
    for (const relation of relations) await holder.query(`SELECT * FROM ${pg.escapeIdentifier(relation)} LIMIT 1`);
    reader = await connect(tdb.url, 'dashboard-reader');
    await reader.query(`SET statement_timeout = '${READER_TIMEOUT}'`);
  });

  afterEach(async () => {
    await holder.end().catch(() => undefined);
    await reader.end().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await tdb.close();
  });

  /**
   * Reads every relation, over and over, until `until` settles (or, should it never, for
   * 30 s): the failures, and how many rounds ran.
   */
  async function readWhile(until: Promise<unknown>): Promise<{ failures: string[]; rounds: number }> {
    let settled = false;
    void until.then(
      () => (settled = true),
      () => (settled = true),
    );
    const failures: string[] = [];
    let rounds = 0;
    const deadline = Date.now() + 30_000;
    while (!settled && Date.now() < deadline) {
      for (const relation of relations) {
        await reader
          .query(`SELECT 1 FROM ${pg.escapeIdentifier(relation)} LIMIT 1`)
          .catch((error: Error) => failures.push(`${relation}: ${error.message}`));
      }
      rounds += 1;
    }
    return { failures, rounds };
  }

  const newColumnExists = async () =>
    (
      await tdb.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'detractor_tickets' AND column_name = $1`, [
        NEW_COLUMN,
      ])
    ).length === 1;
  const recorded = async () =>
    tdb.query<{ finished: boolean }>(
      `SELECT finished_at IS NOT NULL AS finished FROM _prisma_migrations WHERE migration_name = $1`,
      [NEWEST],
    );

  test('when a session holds every relation, then readers keep answering while the migration retries, and it lands once the holder ends', async () => {
    const logs = captureLogger('warn');
    const retries = () => logs.lines().filter((l) => l['migration'] === NEWEST && typeof l['retryInMs'] === 'number');
    const migrating = migrate(tdb.url, logs.log, {
      dir,
      locks: { lockTimeoutMs: LOCK_TIMEOUT_MS, maxWaitMs: 120_000, retryDelayMs: { min: 100, max: 400 } },
    });
    // The holder ends after two retries (or, should the runner never retry, after 15 s).
    const holderEnds = (async () => {
      const until = Date.now() + 15_000;
      while (retries().length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      await holder.query('ROLLBACK');
    })();
    const reading = readWhile(Promise.all([migrating, holderEnds]));

    expect(await migrating).toEqual([NEWEST]);
    await holderEnds;
    const { failures, rounds } = await reading;

    expect(failures).toEqual([]);
    expect(rounds).toBeGreaterThan(1);
    expect(retries().length).toBeGreaterThanOrEqual(2);
    const blockers = retries()[0]!['blockers'] as Array<Record<string, unknown>>;
    expect(blockers).toContainEqual(
      expect.objectContaining({ pid: holderPid, applicationName: HOLDER_APPLICATION, state: 'idle in transaction' }),
    );
    expect(String(blockers.find((b) => b['pid'] === holderPid)!['query'])).toMatch(/^SELECT \* FROM /);
    expect(await newColumnExists()).toBe(true);
    expect(await recorded()).toEqual([{ finished: true }]);
  });

  test('when the holder never ends, then the runner gives up at its bound naming the holder, with nothing of the migration applied', async () => {
    const migrating = migrate(tdb.url, captureLogger('silent').log, {
      dir,
      locks: { lockTimeoutMs: LOCK_TIMEOUT_MS, maxWaitMs: 1_500, retryDelayMs: { min: 100, max: 400 } },
    });
    const reading = readWhile(migrating);

    const error = await migrating.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'MIGRATION_BLOCKED', fatal: true });
    expect(exitCodeFor(error)).toBe(2);
    const message = (error as Error).message;
    expect(message).toContain(`migration ${NEWEST} not applied`);
    expect(message).toContain(`pid ${holderPid} (application "${HOLDER_APPLICATION}"`);
    expect(message).toContain('idle in transaction since');
    expect(message).toContain('MIGRATIONS_WAIT_MAX');
    expect((await reading).failures).toEqual([]);
    expect(await newColumnExists()).toBe(false);
    expect(await recorded()).toEqual([]);
  });
});

describe('a migration statement that runs too long', () => {
  test('when a statement runs past the statement timeout, then the migration is rolled back naming MIGRATIONS_STATEMENT_TIMEOUT', async () => {
    const database = await createEmptyDatabase('slow');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-slow-'));
    await mkdir(path.join(dir, '001_slow'));
    await writeFile(path.join(dir, '001_slow', 'migration.sql'), 'CREATE TABLE slow_table (id BIGINT);\nSELECT pg_sleep(30);\n');
    const client = await connect(database.url, 'assertions');
    try {
      await expect(
        migrate(database.url, captureLogger('silent').log, { dir, locks: { statementTimeoutMs: 200 } }),
      ).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
        message: expect.stringMatching(/001_slow failed and was rolled back: .*statement timeout.*MIGRATIONS_STATEMENT_TIMEOUT/),
      });
      expect((await client.query(`SELECT to_regclass('slow_table') AS t`)).rows).toEqual([{ t: null }]);
      expect((await client.query('SELECT migration_name FROM _prisma_migrations')).rows).toEqual([]);
    } finally {
      await client.end();
      await rm(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
