import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import { migrate, readMigrations, DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { captureLogger } from '../support/capture-logger.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../support/database.js';

const silent = pino({ level: 'silent' });

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations applied by the worker', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createEmptyDatabase('migrate');
  });
  afterAll(async () => database.drop());

  test('when two workers start on an empty database at once, then each migration is applied exactly once', async () => {
    const [a, b] = await Promise.all([migrate(database.url, silent), migrate(database.url, silent)]);

    const files = await readMigrations(DEFAULT_MIGRATIONS_DIR);
    expect([...a, ...b].sort()).toEqual(files.map((f) => f.name).sort());
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      database.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      files.map((f) => [f.name, f.checksum, 1]),
    );
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });

  test('when the worker starts again, then nothing is applied twice', async () => {
    expect(await migrate(database.url, silent)).toEqual([]);
  });

  // (v_detractor_tickets_daily.day is a calendar date in UTC by design, not an instant.)
  test('when migrated, then every timestamp column is timestamptz', async () => {
    const columns = await query<{ table_name: string; column_name: string; data_type: string }>(
      database.url,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
         AND (data_type LIKE 'timestamp%' OR column_name ~ '_at$')`,
    );
    expect(columns.length).toBeGreaterThan(10);
    expect(columns.filter((c) => c.data_type !== 'timestamp with time zone')).toEqual([]);
  });

  test('when a migration fails, then it is rolled back, named in the error and nothing is recorded', async () => {
    const broken = await createEmptyDatabase('broken');
    const dir = await import('node:fs/promises').then(async (fs) => {
      const os = await import('node:os');
      const path = await import('node:path');
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'migrations-'));
      await fs.mkdir(path.join(root, '001_ok'));
      await fs.writeFile(path.join(root, '001_ok', 'migration.sql'), 'CREATE TABLE ok_table (id int);');
      await fs.mkdir(path.join(root, '002_broken'));
      await fs.writeFile(
        path.join(root, '002_broken', 'migration.sql'),
        'CREATE TABLE half (id int); SELECT no_such_column FROM ok_table;',
      );
      return root;
    });
    try {
      await expect(migrate(broken.url, silent, { dir })).rejects.toThrow(
        /migration 002_broken failed and was rolled back: column "no_such_column" does not exist/,
      );
      const tables = await query<{ table_name: string }>(
        broken.url,
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(['_prisma_migrations', 'ok_table']);
      const applied = await query<{ migration_name: string }>(broken.url, 'SELECT migration_name FROM _prisma_migrations');
      expect(applied.map((r) => r.migration_name)).toEqual(['001_ok']);
    } finally {
      await broken.drop();
    }
  });
});

describe('a database this build must not migrate', () => {
  const FUTURE = '20991231000000_from_a_newer_build';
  let newestKnown: string;
  let first: { name: string; checksum: string };
  let tdb: TestDatabase;
  beforeAll(async () => {
    const files = await readMigrations(DEFAULT_MIGRATIONS_DIR);
    newestKnown = files.at(-1)!.name;
    first = files[0]!;
  });
  afterEach(async () => tdb.close());

  /** What a newer build leaves behind: one more migration, applied. */
  const applyFutureMigration = (db: TestDatabase) =>
    db.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES (gen_random_uuid(), repeat('a', 64), $1, now(), now(), 1)`,
      [FUTURE],
    );
  const editFirstMigration = (db: TestDatabase) =>
    db.query(`UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = $1`, [first.name]);

  test('when the database holds a migration this build does not know, then migrate refuses naming the newest of both', async () => {
    tdb = await createTestDatabase('ahead');
    await applyFutureMigration(tdb);

    const refused = migrate(tdb.url, silent);
    await expect(refused).rejects.toMatchObject({ code: 'MIGRATION_AHEAD', fatal: true });
    await expect(refused).rejects.toThrow(
      `the database is ahead of this build: its newest applied migration is ${FUTURE}, this build's newest is ${newestKnown} ` +
        `(unknown to this build: ${FUTURE}). Deploy a build that has these migrations (an older build must not write to a newer ` +
        'schema), or set MIGRATIONS_ALLOW_MISMATCH=true to accept it',
    );
  });

  test('when an applied migration was edited since, then migrate refuses naming it and both checksums', async () => {
    tdb = await createTestDatabase('edited');
    await editFirstMigration(tdb);

    const refused = migrate(tdb.url, silent);
    await expect(refused).rejects.toMatchObject({ code: 'MIGRATION_EDITED', fatal: true });
    await expect(refused).rejects.toThrow(
      `applied migration edited since: ${first.name} (database checksum 000000000000…, this build's ${first.checksum.slice(0, 12)}…). ` +
        'Restore the file as it was applied (a change belongs in a new migration) or deploy the build the database was ' +
        'migrated with, or set MIGRATIONS_ALLOW_MISMATCH=true to accept it',
    );
  });

  test('when the database is ahead and a migration of this build is pending, then the refusal applies nothing', async () => {
    tdb = await createTestDatabase('ahead_pending');
    await applyFutureMigration(tdb);
    // A build with one migration the database lacks, besides lacking the database's newest.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await mkdir(path.join(dir, '20991230000000_pending'));
    await writeFile(path.join(dir, '20991230000000_pending', 'migration.sql'), 'CREATE TABLE pending_table (id int);');

    await expect(migrate(tdb.url, silent, { dir })).rejects.toMatchObject({ code: 'MIGRATION_AHEAD' });
    expect(await tdb.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name = '20991230000000_pending'`)).toEqual([]);
    expect(await tdb.query(`SELECT to_regclass('pending_table') AS t`)).toEqual([{ t: null }]);
  });

  test('when the operator allows the mismatch, then both only warn and migrate goes on', async () => {
    tdb = await createTestDatabase('allowed');
    await applyFutureMigration(tdb);
    await editFirstMigration(tdb);
    const captured = captureLogger('warn');

    expect(await migrate(tdb.url, captured.log, { allowMismatch: true })).toEqual([]);
    const warnings = captured.lines().map((l) => [l['level'], l['code'], l['migrations']]);
    expect(warnings).toEqual([
      [40, 'MIGRATION_AHEAD', [FUTURE]],
      [40, 'MIGRATION_EDITED', [first.name]],
    ]);
    expect(captured.text()).toContain('(accepted: MIGRATIONS_ALLOW_MISMATCH=true)');
  });
});
