import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import { keyFingerprint } from '../../src/budget/call-ledger.js';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/db/migrate.js';
import { runCli, startNpmScript } from '../support/cli-process.js';
import { createEmptyDatabase } from '../support/database.js';
import { dropRole, uniqueRoleName, urlAs } from '../support/roles.js';
import { startHarness, TEST_API_KEY, type Harness } from '../support/sync-harness.js';

/** The relations of the database's public schema, and how many migrations it recorded: what must not change. */
async function catalog(url: string): Promise<{ relations: string[]; migrations: number | undefined }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`,
    );
    const relations = rows.map((r) => r.relname);
    const migrations = relations.includes('_prisma_migrations')
      ? (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM _prisma_migrations')).rows[0]?.n
      : undefined;
    return { relations, migrations };
  } finally {
    await client.end();
  }
}

describe('npm run status', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ segments: [961, 962], ticketsPerList: 12, perPage: 5 });
    await h.run();
  });
  afterAll(async () => h.close());

  test('when --json is given, then the last runs and each list with its freshness and ticket count are printed', async () => {
    await h.run({ lists: [961, 999].map((segmentId) => ({ segmentId, status: 0, perPage: 5 })) }); // 999 is unknown: 404

    const result = await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url });

    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { runs: Array<Record<string, unknown>>; lists: Array<Record<string, unknown>> };
    expect(status.runs.map((r) => r['status'])).toEqual(['partial', 'succeeded']);
    const byList = new Map(status.lists.map((l) => [`${String(l['segment_id'])}/${String(l['status'])}`, l]));
    expect(byList.get('961/0')).toMatchObject({ last_outcome: 'succeeded', tickets: 12, last_error_code: null });
    expect(byList.get('962/0')).toMatchObject({ last_outcome: 'succeeded', tickets: 12 });
    expect(byList.get('999/0')).toMatchObject({
      last_outcome: 'failed',
      last_success_at: null,
      last_error_code: 'API_NOT_FOUND',
    });
    expect(byList.get('999/0')?.['error_request_id']).toEqual(expect.any(String));
    // Open and overdue detractors per segment, as the worker's page shows them: every segment tried, 999 with none.
    const truth = await h.tdb.query<{ segment_id: string; open: number; overdue: number }>(
      `SELECT m.segment_id::text AS segment_id, count(*)::int AS open, count(*) FILTER (WHERE t.due_at < now())::int AS overdue
       FROM detractor_ticket_segments m JOIN detractor_tickets t USING (ticket_id)
       WHERE m.gone_at IS NULL AND m.status = 0 GROUP BY m.segment_id ORDER BY m.segment_id`,
    );
    expect(truth.map((t) => t.open)).toEqual([12, 12]);
    // Named "Segment <id>": this harness configures no SYNC_SEGMENT_NAMES.
    expect((status as unknown as { openTickets: unknown }).openTickets).toEqual(
      [...truth, { segment_id: '999', open: 0, overdue: 0 }].map((t) => ({ ...t, segment_name: `Segment ${t.segment_id}` })),
    );
  });

  test('when run without flags, then it prints readable tables', async () => {
    const result = await runCli(['status'], { DATABASE_URL: h.tdb.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Last 5 runs\n id \| trigger \| status/m);
    expect(result.stdout).toMatch(
      /Lists \(segment x status\): 1 failing of 3\n segment_id \| segment_name \| status \| status_label \| last_success_at/,
    );
    expect(result.stdout).toMatch(/^ 999 +\| Segment 999 +\| 0 +\| open +\|.*\| failed +\|/m);
    expect(result.stdout).toMatch(
      /Open detractors per segment \(overdue: past their due time\)\n segment_id \| segment_name \| open \| overdue\n/,
    );
    expect(result.stdout).toMatch(/^ 961 +\| Segment 961 +\| 12 +\| \d+$/m);
  });

  test('when API calls were recorded, then they are counted per day of the last two weeks', async () => {
    await h.tdb.query(
      `INSERT INTO api_call_ledger (key_fingerprint, minute, outcome, calls) VALUES
         ('00000000feedbeef', date_trunc('minute', now()), 'sent', 7),
         ('00000000feedbeef', date_trunc('minute', now()), 'ok', 7),
         ('00000000feedbeef', date_trunc('minute', now()) - interval '30 days', 'sent', 5)`,
    );

    const result = await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'UTC' });

    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { apiBudget: { callsPerDay: Array<{ day: string; calls: number }> } };
    const days = status.apiBudget.callsPerDay;
    expect(days).toHaveLength(14);
    // Sent calls only (not what they got), and not the ones of a month ago.
    expect(days.reduce((n, d) => n + d.calls, 0)).toBe(7);
    expect(days.at(-1)).toEqual({ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), calls: 7 });
    const text = await runCli(['status'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'Asia/Tokyo' });
    expect(text.stdout).toMatch(/API calls sent per day \(the last 14 days in Asia\/Tokyo\)\n day +\| calls\n/);
    // The calls sent are the total; what they got breaks them down (7 sent, 7 ok: not 14 calls).
    expect(text.stdout).toContain(
      'API calls of this API key, all processes sharing the database (key fingerprint 00000000feedbeef)',
    );
    expect(text.stdout).toMatch(/\n {2}answers to the 7 calls sent: ok 7\n/);
    const json = JSON.parse(
      (await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'Asia/Tokyo' })).stdout,
    ) as {
      apiBudget: Record<string, unknown>;
    };
    expect(json.apiBudget).toMatchObject({ byOutcome: { sent: 7, ok: 7 }, answers: { ok: 7 }, timezone: 'Asia/Tokyo' });
  });
});

describe('npm run status only reads', () => {
  let h: Harness;
  const password = 'status-reader-password-1';
  const role = uniqueRoleName('status_nopii');
  beforeAll(async () => {
    h = await startHarness({ segments: [971], ticketsPerList: 6, perPage: 5 });
    await h.run();
    await h.tdb.query(
      `INSERT INTO api_call_ledger (key_fingerprint, minute, outcome, calls)
       VALUES ($1, date_trunc('minute', now()), 'sent', 3)`,
      [keyFingerprint(TEST_API_KEY)],
    );
    const made = await runCli(['readonly-role', '--role', role, '--no-pii'], {
      DATABASE_URL: h.tdb.url,
      READONLY_ROLE_PASSWORD: password,
    });
    expect(made.code).toBe(0);
  });
  afterAll(async () => {
    await h.close();
    await dropRole(role);
  });

  test('when it runs as the read-only role without personal data (--no-pii), then it reports runs, lists and API calls', async () => {
    const before = await catalog(h.tdb.url);
    const result = await runCli(['status', '--json'], {
      DATABASE_URL: urlAs(h.tdb.url, role, password),
      QUESTIONPRO_API_KEY: TEST_API_KEY,
    });

    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout) as {
      runs: unknown[];
      lists: unknown[];
      apiBudget?: { used: number };
      notes: string[];
    };
    expect(report.runs).toHaveLength(1);
    expect(report.lists).toEqual([expect.objectContaining({ segment_id: '971', last_outcome: 'succeeded' })]);
    expect(report.apiBudget?.used).toBe(3);
    expect(report.notes).toEqual([]);
    expect(await catalog(h.tdb.url)).toEqual(before);
  });

  test('when that role may not read the API call ledger (a role made before it was granted), then the rest is reported with a note', async () => {
    await h.tdb.query(`REVOKE SELECT ON api_call_ledger, api_call_budgets FROM ${role}`);
    try {
      const url = urlAs(h.tdb.url, role, password);
      const json = await runCli(['status', '--json'], { DATABASE_URL: url, QUESTIONPRO_API_KEY: TEST_API_KEY });
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as { runs: unknown[]; apiBudget?: unknown; notes: string[] };
      expect(report.runs).toHaveLength(1);
      expect(report.apiBudget).toBeUndefined();
      expect(report.notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `^API calls: not shown, role ${role} may not read api_call_ledger, api_call_budgets .*db:readonly-role -- --no-pii`,
          ),
        ),
      ]);
      const text = await runCli(['status'], { DATABASE_URL: url });
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^Lists \(segment x status\): 0 failing of 1$/m);
      expect(text.stdout).toMatch(new RegExp(`^API calls: not shown, role ${role} may not read`, 'm'));
    } finally {
      await h.tdb.query(`GRANT SELECT ON api_call_ledger, api_call_budgets TO ${role}`);
    }
  });

  test('when the role may not read the views, then it exits 2 saying which and how to grant them', async () => {
    await h.tdb.query(`REVOKE SELECT ON v_sync_health_no_pii FROM ${role}`);
    try {
      const result = await runCli(['status'], { DATABASE_URL: urlAs(h.tdb.url, role, password) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `DATABASE_URL: its role ${role} may not read v_sync_health_no_pii: grant them with \`npm run db:readonly-role\``,
      );
    } finally {
      await h.tdb.query(`GRANT SELECT ON v_sync_health_no_pii TO ${role}`);
    }
  });

  test('when the database has no tables yet, then it says no sync has run and how to run one, exits 0 and creates nothing', async () => {
    const empty = await createEmptyDatabase('status_empty');
    try {
      const text = await runCli(['status'], { DATABASE_URL: empty.url });
      expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
      expect(text.stdout).toMatch(
        /^No sync has run yet: the database postgresql:\/\/.* \(schema public\) has none of detractor-sync's tables\. Run one with `npm run sync`/,
      );
      const json = await runCli(['status', '--json'], { DATABASE_URL: empty.url });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({
        runs: [],
        lists: [],
        openTickets: [],
        notes: [expect.stringMatching(/^No sync has run yet/)],
      });
      expect(await catalog(empty.url)).toEqual({ relations: [], migrations: undefined });
    } finally {
      await empty.drop();
    }
  });

  test('when the database was migrated by an older build, then it exits 2 naming what is missing and migrates nothing', async () => {
    const older = await createEmptyDatabase('status_older');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'detractor-older-migrations-'));
    try {
      // The migrations before the one that adds v_sync_health_no_pii and v_sync_runs_no_pii:
      // a database an older build migrated (later migrations may come, this one stays).
      const names = readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      const adding = names.findIndex((name) =>
        readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql'), 'utf8').includes('v_sync_health_no_pii'),
      );
      expect(adding).toBeGreaterThan(0);
      for (const name of names.slice(0, adding))
        cpSync(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
      cpSync(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
      await migrate(older.url, pino({ level: 'silent' }), { dir });
      const before = await catalog(older.url);
      expect(before.relations).not.toContain('v_sync_health_no_pii');

      const result = await runCli(['status'], { DATABASE_URL: older.url });

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^detractor-sync: the database postgresql:\/\/.* \(schema public\) is older than this build: it lacks v_sync_runs_no_pii, v_sync_health_no_pii\. status only reads; the next `npm run sync` or worker start of this version applies the migrations\n$/,
      );
      expect(await catalog(older.url)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await older.drop();
    }
  });

  test('when --runs is not a number from 1 to 100, then it exits 2 naming the option', async () => {
    const result = await runCli(['status', '--runs', 'lots'], { DATABASE_URL: h.tdb.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--runs: expected a whole number between 1 and 100');
  });

  test('when `npm run -s status -- --json` runs, then stdout is the JSON alone; without -s, npm’s lines come first and a note says so', async () => {
    const silent = startNpmScript(['run', '-s', 'status', '--', '--json'], { DATABASE_URL: h.tdb.url });
    expect(await silent.exited).toBe(0);
    expect(JSON.parse(silent.stdout())).toMatchObject({ runs: [expect.objectContaining({ status: 'succeeded' })], notes: [] });

    const loud = startNpmScript(['run', 'status', '--', '--json'], { DATABASE_URL: h.tdb.url });
    expect(await loud.exited).toBe(0);
    expect(loud.stdout()).toMatch(/^\n> detractor-sync@[\d.]+ status\n/);
    expect(loud.stderr()).toContain('for JSON alone run `npm run -s status -- --json`');
  });
});
