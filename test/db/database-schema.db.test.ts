import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { loadConfig } from '../../src/config/config.js';
import { withSearchPath } from '../../src/db/connection-url.js';
import { migrate } from '../../src/db/migrate.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { listsFor } from '../../src/lists/list.js';
import { captureLogger } from '../support/capture-logger.js';
import { runCli } from '../support/cli-process.js';
import { createEmptyDatabase } from '../support/database.js';
import { connectAs, dropRole, uniqueRoleName } from '../support/roles.js';

const KEY = 'schema-test-key';
const SCHEMA = 'cx_detractors';

/** DATABASE_SCHEMA: a database shared with other applications, the service's objects in a schema of their own. */
describe('tables in a schema of their own (DATABASE_SCHEMA)', () => {
  let database: { url: string; drop(): Promise<void> };
  let sim: QuestionProSimulator;
  let runtime: Runtime;
  let admin: pg.Client;
  const role = uniqueRoleName('bi_schema');
  const password = 'schema-reader-password';

  beforeAll(async () => {
    database = await createEmptyDatabase('schema');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // Another application's table in public, which must be left alone.
    await admin.query('CREATE TABLE public.other_app_orders (id int)');
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 501, status: 0, count: 30 }] });
    const config = loadConfig({
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: sim.baseUrl,
      SYNC_SEGMENTS: '501',
      SYNC_SEGMENT_NAMES: '501=Retail EU',
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: SCHEMA,
      RETRY_MIN_DELAY_MS: '5',
    });
    runtime = await openRuntime(config, captureLogger('warn').log);
    const report = await runtime.sync('cli', listsFor([501], [0], 10));
    expect(report.status).toBe('succeeded');
  });
  afterAll(async () => {
    await runtime?.close();
    await sim?.close();
    await admin?.end();
    await database?.drop();
    await dropRole(role);
  });

  test('when a sync has run, then every table, view and the migrations table are in the schema, none in public', async () => {
    const { rows } = await admin.query<{ schema: string; relations: string }>(
      `SELECT n.nspname AS schema, count(*) AS relations FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'v') AND n.nspname IN ('public', $1) GROUP BY 1 ORDER BY 1`,
      [SCHEMA],
    );
    const counts = new Map(rows.map((r) => [r.schema, Number(r.relations)]));
    expect(counts.get(SCHEMA)).toBeGreaterThan(15);
    expect(counts.get('public')).toBe(1); // the other application's table only
    const tickets = await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.detractor_tickets`);
    expect(tickets.rows[0]).toEqual({ n: 30 });
    const names = await admin.query(`SELECT segment_name FROM ${SCHEMA}.v_sync_health`);
    expect(names.rows).toEqual([{ segment_name: 'Retail EU' }]);
    const migrations = await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA}."_prisma_migrations"`);
    expect(migrations.rows[0]!['n']).toBeGreaterThan(0);
  });

  test('when migrations run again on the schema, then nothing is applied twice', async () => {
    expect(await migrate(withSearchPath(database.url, SCHEMA), captureLogger('warn').log)).toEqual([]);
  });

  test('when status runs with DATABASE_SCHEMA, then it reports the schema’s runs', async () => {
    const result = await runCli(['status', '--json'], { DATABASE_URL: database.url, DATABASE_SCHEMA: SCHEMA });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { lists: Array<{ segment: number | string }> };
    expect(report.lists).toHaveLength(1);
  });

  test('when the read-only role is made for the schema, then it reads the views unqualified and nothing in public', async () => {
    const made = await runCli(['readonly-role', '--role', role, '--no-pii'], {
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: SCHEMA,
      READONLY_ROLE_PASSWORD: password,
    });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const reader = await connectAs(database.url, role, password);
    try {
      const { rows } = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM v_open_detractor_tickets_no_pii');
      expect(rows[0]!.n).toBe(30);
      await expect(reader.query('SELECT count(*) FROM public.other_app_orders')).rejects.toThrow(/permission denied/);
    } finally {
      await reader.end();
    }
  });
});
