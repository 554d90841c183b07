import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { readonlyRoleSql } from '../../src/db/sql/roles.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { connectAs, dropRole, uniqueRoleName } from '../support/roles.js';
import { startWorker } from '../support/worker-under-test.js';

// A server that echoes the api-key in every identifier it sends (the requestID of each
// good page and error, the error's name, id and message) and quotes a person in an error
// message. What the service keeps of it passes one gate (src/questionpro/api-text.ts).

const KEY = 'echo-key-8f2d6a1c-never-stored';
const PERSON = 'contact jane.doe@example.com or +1 555 123 4567';

describe('a server that echoes the api-key in every identifier and quotes a person', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      echoKeyAsRequestId: true,
      lists: [
        { segmentId: 861, status: 0, count: 25 },
        { segmentId: 862, status: 0, count: 5 },
      ],
    });
    const body = JSON.stringify({ response: { error: { name: KEY, id: KEY, message: `${KEY}: ${PERSON}` } }, requestID: KEY });
    sim.injectFault({ kind: 'custom', status: 400, body, times: 10, match: { segmentId: 862 } });
    tdb = await createTestDatabase();
    const sync = await runCli(['sync'], {
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: sim.baseUrl,
      SYNC_SEGMENTS: '861,862',
      SYNC_PAGE_SIZE: '10',
      DATABASE_URL: tdb.url,
    });
    expect(sync.code).toBe(1); // 862 failed, 861 stored
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  test('when every row of every table is read as text (what pg_dump --data-only holds), then the key is in none', async () => {
    const tables = await tdb.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    );
    const leaks: string[] = [];
    for (const { name } of tables) {
      const rows = await tdb.query<{ t: string }>(`SELECT t::text AS t FROM ${pg.escapeIdentifier(name)} t`);
      if (rows.some((r) => r.t.includes(KEY))) leaks.push(name);
    }
    expect(leaks).toEqual([]);
    const [stored] = await tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_tickets');
    expect(stored?.n).toBe(25);
    const [failed] = await tdb.query<{ error_api_id: string; error_request_id: string; error_message: string }>(
      `SELECT error_api_id, error_request_id, error_message FROM sync_run_segments WHERE segment_id = 862`,
    );
    expect(failed).toMatchObject({
      error_api_id: '[withheld: not an identifier]',
      error_request_id: '[withheld: not an identifier]',
    });
    expect(failed?.error_message).toContain('[redacted]');
  });

  test('when the status page, npm run status and its --json are read, then the key is in none of them', async () => {
    const worker = await startWorker({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: [861],
      env: { SYNC_RUN_ON_START: 'false' },
    });
    try {
      const page = await (await fetch(`${worker.url}/`)).text();
      expect(page).toContain('862');
      expect(page).not.toContain(KEY);
      expect(page).not.toContain('jane.doe');
      expect(page).not.toContain('555 123 4567');
    } finally {
      await worker.stop();
    }
    for (const args of [['status'], ['status', '--json']]) {
      const status = await runCli(args, { DATABASE_URL: tdb.url });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('862');
      expect(status.stdout + status.stderr).not.toContain(KEY);
      expect(status.stdout).not.toMatch(/jane\.doe|555 123 4567/);
    }
  });

  test('when the PII-free role reads everything it may, then no e-mail address or phone number from the error is there', async () => {
    const role = uniqueRoleName('echo_reader');
    const admin = new pg.Client({ connectionString: tdb.url });
    await admin.connect();
    try {
      const [{ db, owner }] = (
        await admin.query<{ db: string; owner: string }>('SELECT current_database() AS db, current_user AS owner')
      ).rows as [{ db: string; owner: string }];
      await admin.query(
        readonlyRoleSql({ role, password: 'echo-reader-pw-1234', database: db, owner, schema: 'public', noPii: true }),
      );
      const reader = await connectAs(tdb.url, role, 'echo-reader-pw-1234');
      try {
        const { rows } = await reader.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND has_table_privilege(c.oid, 'SELECT')`,
        );
        expect(rows.map((r) => r.name)).toContain('v_sync_health_no_pii');
        for (const { name } of rows) {
          const text = (await reader.query<{ t: string }>(`SELECT t::text AS t FROM ${pg.escapeIdentifier(name)} t`)).rows
            .map((r) => r.t)
            .join('\n');
          expect({ name, person: /jane\.doe|555 123 4567/.test(text) }).toEqual({ name, person: false });
        }
        const [health] = (
          await reader.query<{ last_error_message: string }>(
            'SELECT last_error_message FROM v_sync_health_no_pii WHERE segment_id = 862',
          )
        ).rows;
        expect(health?.last_error_message).toContain('[e-mail withheld] or [phone withheld]');
      } finally {
        await reader.end();
      }
    } finally {
      await admin.end();
      await dropRole(role);
    }
  });
});
