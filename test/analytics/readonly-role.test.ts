import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('the read-only role for BI tools', () => {
  let tdb: TestDatabase;
  // Roles are cluster-wide: a unique name keeps parallel or repeated runs apart.
  const role = `bi_reader_${randomBytes(3).toString('hex')}`;
  const password = 'correct-horse-battery-staple';
  let reader: pg.Client;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      // Twice: the recipe is idempotent.
      const result = await runCli(['readonly-role', '--role', role], { DATABASE_URL: tdb.url, READONLY_ROLE_PASSWORD: password });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const url = new URL(tdb.url);
    url.username = role;
    url.password = password;
    reader = new pg.Client({ connectionString: url.toString() });
    await reader.connect();
  });
  afterAll(async () => {
    await reader.end();
    await tdb.close();
    await tdb.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    const admin = new pg.Client({ connectionString: process.env['DETRACTOR_TEST_ADMIN_URL'] });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  });

  test('when the role reads the views and tables, then it may', async () => {
    for (const object of [
      'v_open_detractor_tickets',
      'v_detractor_tickets_daily',
      'v_ticket_sla',
      'v_sync_health',
      'detractor_tickets',
      'detractor_ticket_versions',
      'sync_runs',
    ]) {
      await expect(reader.query(`SELECT count(*) FROM ${object}`)).resolves.toBeDefined();
    }
  });

  test('when the role tries to write, create or read the migrations table, then it is refused', async () => {
    await expect(reader.query(`INSERT INTO detractor_ticket_statuses VALUES (9, 'x', true)`)).rejects.toThrow(
      /read-only transaction|permission denied/,
    );
    await expect(reader.query('BEGIN READ WRITE; DELETE FROM sync_runs; COMMIT')).rejects.toThrow(/permission denied/);
    await reader.query('ROLLBACK').catch(() => undefined);
    await expect(reader.query('BEGIN READ WRITE; CREATE TABLE mine (id int); COMMIT')).rejects.toThrow(/permission denied/);
    await reader.query('ROLLBACK').catch(() => undefined);
    await expect(reader.query('SELECT * FROM _prisma_migrations')).rejects.toThrow(/permission denied/);
  });

  test('when a later migration adds a table, then the role can read it without running the recipe again', async () => {
    await tdb.query('CREATE TABLE future_table (id int)');
    await expect(reader.query('SELECT count(*) FROM future_table')).resolves.toBeDefined();
  });

  test('when --print is given, then the SQL is shown with the password masked', async () => {
    const result = await runCli(['readonly-role', '--role', role, '--print'], {
      DATABASE_URL: tdb.url,
      READONLY_ROLE_PASSWORD: password,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${role}"`);
    expect(result.stdout).toContain("PASSWORD '********'");
    expect(result.stdout).not.toContain(password);
  });

  test('when the password is missing or short, then it exits 2 naming READONLY_ROLE_PASSWORD', async () => {
    const result = await runCli(['readonly-role', '--role', role], { DATABASE_URL: tdb.url, READONLY_ROLE_PASSWORD: 'short' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('READONLY_ROLE_PASSWORD');
  });
});
