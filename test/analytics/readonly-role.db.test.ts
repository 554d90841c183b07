import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { INTERNAL_RELATIONS, PII_COLUMN_NAMES, PII_FREE_RELATIONS, PII_RELATIONS } from '../../src/db/relation-privacy.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  asAdmin,
  connectAs,
  createOwnedDatabase,
  createOwnerRole,
  dropRole,
  uniqueRoleName,
  type OwnedDatabase,
} from '../support/roles.js';

const password = 'correct-horse-battery-staple';

/** Runs the recipe once per set of flags, each must succeed silently; then connects as the role. */
async function makeRole(databaseUrl: string, role: string, runs: string[][]): Promise<pg.Client> {
  for (const flags of runs) {
    const result = await runCli(['readonly-role', '--role', role, ...flags], {
      DATABASE_URL: databaseUrl,
      READONLY_ROLE_PASSWORD: password,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
  return connectAs(databaseUrl, role, password);
}

describe('the read-only role for BI tools', () => {
  let tdb: TestDatabase;
  const role = uniqueRoleName('bi_reader');
  let reader: pg.Client;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // Twice: the recipe is idempotent.
    reader = await makeRole(tdb.url, role, [[], []]);
  });
  afterAll(async () => {
    await reader.end();
    await tdb.close();
    await tdb.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await dropRole(role);
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
    expect(result.stdout).toContain(`GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "${role}"`);
    expect(result.stdout).toContain("PASSWORD '********'");
    expect(result.stdout).not.toContain(password);
  });

  test("when the password has a backslash (written E'...' in SQL), then --print still masks it", async () => {
    const result = await runCli(['readonly-role', '--role', role, '--print'], {
      DATABASE_URL: tdb.url,
      READONLY_ROLE_PASSWORD: 'back\\slash-password',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("PASSWORD '********'");
    expect(result.stdout).not.toMatch(/slash-password/);
  });

  test('when the password is missing or short, then it exits 2 naming READONLY_ROLE_PASSWORD', async () => {
    const result = await runCli(['readonly-role', '--role', role], { DATABASE_URL: tdb.url, READONLY_ROLE_PASSWORD: 'short' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('READONLY_ROLE_PASSWORD');
  });
});

describe('the read-only role without personal data (--no-pii)', () => {
  let tdb: TestDatabase;
  const role = uniqueRoleName('bi_nopii');
  let reader: pg.Client;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // Full first, then --no-pii: switching mode must take away what the full grant gave.
    reader = await makeRole(tdb.url, role, [[], ['--no-pii'], ['--no-pii']]);
  });
  afterAll(async () => {
    await reader.end();
    await tdb.close();
    await dropRole(role);
  });

  test('when the role reads the PII-free reporting views and tables, then it may', async () => {
    for (const relation of PII_FREE_RELATIONS) {
      await expect(reader.query(`SELECT count(*) FROM ${relation}`)).resolves.toBeDefined();
    }
  });

  test('when the role reads e-mail, phone, comment or raw records anywhere, then it is refused', async () => {
    for (const sql of [
      'SELECT email_address FROM detractor_tickets',
      'SELECT phone_number FROM v_open_detractor_tickets',
      'SELECT comment FROM detractor_ticket_versions',
      'SELECT raw FROM sync_rejects',
      // The service's own bookkeeping that no report reads (the ledger and budgets are PII-free: counts per key fingerprint).
      'SELECT count(*) FROM api_rate_slots',
      'SELECT count(*) FROM api_call_periods',
      'SELECT count(*) FROM _prisma_migrations',
    ]) {
      await expect(reader.query(sql)).rejects.toThrow(/permission denied/);
    }
  });

  test('when a later migration adds a table, then this role does not see it until granted', async () => {
    await tdb.query('CREATE TABLE future_pii (email text)');
    await expect(reader.query('SELECT count(*) FROM future_pii')).rejects.toThrow(/permission denied/);
  });
});

/** A managed PostgreSQL (RDS, Cloud SQL, Azure) gives the database owner CREATEROLE, never SUPERUSER. */
describe('the read-only role made by an owner with CREATEROLE, not a superuser', () => {
  const owner = uniqueRoleName('owner');
  const ownerPassword = 'owner-password-not-super';
  const role = uniqueRoleName('bi_owned');
  const otherRoles: string[] = [];
  let database: OwnedDatabase;
  let unmigrated: OwnedDatabase;
  let reader: pg.Client;

  /** A role made by the test server's superuser, e.g. one an administrator made long ago. */
  async function existingRole(prefix: string, attributes: string): Promise<string> {
    const name = uniqueRoleName(prefix);
    otherRoles.push(name);
    await asAdmin(`CREATE ROLE ${name} ${attributes}`);
    return name;
  }

  async function attributesOf(name: string): Promise<Record<string, boolean> | undefined> {
    const rows = await asAdmin<Record<string, boolean>>(
      'SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = $1',
      [name],
    );
    return rows[0];
  }

  beforeAll(async () => {
    await createOwnerRole(owner, ownerPassword);
    database = await createOwnedDatabase(owner, ownerPassword);
    unmigrated = await createOwnedDatabase(owner, ownerPassword, false);
    // Twice: the second run finds the role and only refreshes it.
    reader = await makeRole(database.url, role, [[], []]);
  });
  afterAll(async () => {
    await reader?.end();
    await database?.drop();
    await unmigrated?.drop();
    for (const name of [role, ...otherRoles, owner]) await dropRole(name);
  });

  test('when the owner runs the recipe, then the role it made logs in, reads the views and has no power of its own', async () => {
    await expect(reader.query('SELECT count(*) FROM v_open_detractor_tickets')).resolves.toBeDefined();
    await expect(reader.query('SELECT count(*) FROM v_sync_health')).resolves.toBeDefined();
    expect(await attributesOf(role)).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolcanlogin: true,
    });
  });

  test('when the role made by the owner tries to write, then it is refused', async () => {
    await expect(reader.query('DELETE FROM sync_runs')).rejects.toThrow(/read-only transaction/);
    await expect(reader.query('BEGIN READ WRITE; DELETE FROM sync_runs; COMMIT')).rejects.toThrow(/permission denied/);
    await reader.query('ROLLBACK').catch(() => undefined);
  });

  test.each([
    ['the owner', 'SUPERUSER', 'SUPERUSER'],
    ['the owner', 'LOGIN CREATEDB CREATEROLE', 'CREATEDB, CREATEROLE'],
    ['a superuser', 'REPLICATION', 'REPLICATION'],
  ])(
    'when %s runs it for an existing role with %s, then it is refused naming the role and what it has, and the role is left as it was',
    async (runner, attributes, named) => {
      const existing = await existingRole('bi_powerful', attributes);
      const before = await attributesOf(existing);
      const url = runner === 'the owner' ? database.url : database.adminUrl;
      const result = await runCli(['readonly-role', '--role', existing], { DATABASE_URL: url, READONLY_ROLE_PASSWORD: password });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--role: role "${existing}" already exists with ${named}`);
      expect(await attributesOf(existing)).toEqual(before);
    },
  );

  test('when the recipe fails part-way (a database not migrated yet), then no role is left behind', async () => {
    const fresh = uniqueRoleName('bi_halfway');
    otherRoles.push(fresh);
    const result = await runCli(['readonly-role', '--role', fresh], {
      DATABASE_URL: unmigrated.url,
      READONLY_ROLE_PASSWORD: password,
    });
    // The step that fails comes after CREATE ROLE: the whole recipe is one transaction.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/_prisma_migrations.*does not exist/);
    expect(await attributesOf(fresh)).toBeUndefined();
  });
});

describe('which relations hold personal data', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  test('when the schema is listed, then every table and view is classified exactly once', async () => {
    const rows = await tdb.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`,
    );
    const classified = [...PII_FREE_RELATIONS, ...PII_RELATIONS, ...INTERNAL_RELATIONS];
    expect(new Set(classified).size).toBe(classified.length);
    expect(rows.map((r) => r.name).sort()).toEqual([...classified].sort());
  });

  test('when the PII-free relations are read from the catalog, then none has a personal-data column', async () => {
    const rows = await tdb.query<{ relation: string; column: string }>(
      `SELECT table_name AS relation, column_name AS column FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ANY($1) AND column_name = ANY($2)`,
      [[...PII_FREE_RELATIONS], [...PII_COLUMN_NAMES]],
    );
    expect(rows).toEqual([]);
    // And the check itself can fail: the full view has them.
    const full = await tdb.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'v_open_detractor_tickets' AND column_name = ANY($1)`,
      [[...PII_COLUMN_NAMES]],
    );
    expect(full.length).toBeGreaterThan(0);
  });
});
