import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import { migrate, readMigrations, DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { createEmptyDatabase } from '../support/database.js';

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
      await expect(migrate(broken.url, silent, dir)).rejects.toThrow(
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
