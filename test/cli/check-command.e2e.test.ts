import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { CheckReport } from '../../src/app/check-report.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// `npm run check` against the simulator: calls are money, so every test counts them
// where the API counts them, at the server.

const KEY = 'check-key-5d21b7f0-never-printed';

/** The account: three lists of known sizes and an empty status list. */
const LISTS = [
  { segmentId: 601, status: 0, count: 250 },
  { segmentId: 601, status: 1, count: 7 },
  { segmentId: 602, status: 0, count: 1_000 },
];

const json = (stdout: string) => JSON.parse(stdout) as CheckReport;

describe('npm run check (the built CLI against the simulator)', () => {
  let sim: QuestionProSimulator;
  const env = (extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '601,602',
    SYNC_STATUSES: '0,1',
    SYNC_SEGMENT_NAMES: '601=Retail EU;602=Online Shop',
    SYNC_PAGE_SIZE: '100',
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '50',
    LOG_LEVEL: '',
    ...extra,
  });

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: LISTS });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('when the account has lists of known sizes, then each is counted with one call, its tickets and pages printed, and it exits 0', async () => {
    const before = sim.callsByKey(KEY);

    const result = await runCli(['check'], env({ SYNC_STATUSES: '0,1', SYNC_SEGMENTS: '601' }));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sim.callsByKey(KEY) - before).toBe(2); // one per list, the first doubling as the key check
    expect(result.stdout).toContain('key accepted; the check spent 2 calls (not recorded: DATABASE_URL is not set)');
    expect(result.stdout).toMatch(/Retail EU \(601\) \| 0 open \| 250\s+\| 3\s+\| 100 \(assumed\)/);
    expect(result.stdout).toMatch(/Retail EU \(601\) \| 1\s+\| 7\s+\| 1\s+\| 100 \(assumed\)/);
    expect(result.stdout).toContain('A month (30 days) of SYNC_CRON "*/15 * * * *" in UTC: 2,880 ticks, 2 lists');
    expect(result.stdout).not.toContain(KEY);
    // No database was asked for, so none was started: nothing left in the working directory.
    expect(existsSync(path.join(result.cwd, '.data'))).toBe(false);
  });

  test('when --json is given, then stdout is only JSON holding the counts, pages, calls and the month’s cost', async () => {
    const before = sim.callsByKey(KEY);

    const result = await runCli(['check', '--json'], env());

    expect(result.code).toBe(0);
    const report = json(result.stdout);
    expect(sim.callsByKey(KEY) - before).toBe(4);
    expect(report.calls).toBe(4);
    expect(report.api.key).toBe('accepted');
    expect(report.lists.map((l) => [l.segmentId, l.status, l.tickets, l.pages, l.calls])).toEqual([
      [601, 0, 250, 3, 1],
      [601, 1, 7, 1, 1],
      [602, 0, 1_000, 10, 1],
      [602, 1, 0, 1, 1], // an empty list still costs its page 1
    ]);
    expect(report.lists[0]).toMatchObject({ segmentName: 'Retail EU', statusLabel: 'open', perPage: 100, perPageAssumed: true });
    expect(report.schedule.ticksPerMonth).toBe(2_880);
    // One probe per list per tick; a full read of every list's pages (15) once a day; the first sync once.
    expect(report.cost).toMatchObject({ probes: 4 * 2_880, verifications: 15 * 30, firstSync: 15 });
    expect(report.cost!.month).toBe(report.cost!.probes + report.cost!.verifications + report.cost!.closures);
    expect(report.allowances.map((a) => a.calls)).toEqual([5_000, 10_000, 20_000]);
  });

  test('when the key is wrong, then it exits 2 after one call, naming the key, the datacenter variables and the host, without a stack trace', async () => {
    const before = sim.requests.length;

    const result = await runCli(['check'], env({ QUESTIONPRO_API_KEY: 'not-the-key-1234' }));

    expect(result.code).toBe(2);
    expect(sim.requests.length - before).toBe(1);
    expect(sim.requests.at(-1)?.httpStatus).toBe(401);
    const host = new URL(sim.baseUrl).host;
    expect(result.stderr).toContain(`QuestionPro refused the key at ${host}`);
    expect(result.stderr).toContain('QUESTIONPRO_API_KEY');
    expect(result.stderr).toMatch(/QUESTIONPRO_BASE_URL \(127\.0\.0\.1:\d+\) is the account's datacenter/);
    expect(result.stderr).toContain('QUESTIONPRO_ENV is one of com, eu, ca, sg, au, ae');
    expect(result.stderr).toContain('The check spent 1 call.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toContain('key refused; the check spent 1 call');
  });

  test('when the key is wrong and --json is given, then the JSON says so and the message goes to stderr', async () => {
    const result = await runCli(['check', '--json'], env({ QUESTIONPRO_API_KEY: 'not-the-key-1234' }));

    expect(result.code).toBe(2);
    const report = json(result.stdout);
    expect(report).toMatchObject({ calls: 1, exitCode: 2, api: { key: 'rejected' }, stop: { kind: 'key', httpStatus: 401 } });
    expect(report.cost).toBeUndefined();
    expect(result.stderr).toContain('QUESTIONPRO_API_KEY');
  });

  test('when a configured segment is unknown to the account, then it is named, the other lists are still counted, and it exits 2', async () => {
    const before = sim.callsByKey(KEY);

    const result = await runCli(['check'], env({ SYNC_SEGMENTS: '699,601', SYNC_STATUSES: '0' }));

    expect(result.code).toBe(2);
    expect(sim.callsByKey(KEY) - before).toBe(2);
    expect(result.stdout).toMatch(/Segment 699\s+\| 0 open \|\s+\|\s+\|\s+\| unknown segment/);
    expect(result.stdout).toContain(
      'Segment 699 status 0: not a segment of this account: correct it or remove it from SYNC_SEGMENTS.',
    );
    expect(result.stdout).toMatch(/HTTP 404, NOT_FOUND, id 1040/);
    expect(result.stdout).toMatch(/Retail EU \(601\) \| 0 open \| 250/);
    // The cost is of the lists that answered.
    expect(result.stdout).toContain('ticks, 1 list');
  });

  test('when the schedule costs more than API_CALL_BUDGET, then it says by how much and names a schedule that fits', async () => {
    const result = await runCli(['check', '--json'], env({ SYNC_CRON: '*/5 * * * *', API_CALL_BUDGET: '6000' }));

    expect(result.code).toBe(0); // the check completed: not fitting is its finding, not a failure
    const report = json(result.stdout);
    expect(report.budget).toMatchObject({ calls: 6_000, fits: false });
    expect(report.budget!.spare).toBeLessThan(0);
    const [suggestion] = report.suggestions;
    expect(suggestion?.target).toBe('API_CALL_BUDGET');
    expect(suggestion?.fit?.cost.firstMonth).toBeLessThanOrEqual(6_000);
    expect(suggestion?.fit?.everyMinutes).toBeGreaterThan(5);

    const text = await runCli(['check'], env({ SYNC_CRON: '*/5 * * * *', API_CALL_BUDGET: '6000' }));
    expect(text.stdout).toMatch(/Against API_CALL_BUDGET \(6,000 a month\): over by [\d,]+\./);
    expect(text.stdout).toContain(`SYNC_CRON="${suggestion!.fit!.cron}"`);
  });

  test('when a call fails transiently, then it is retried and the retry is counted as a call spent', async () => {
    sim.injectFault({ kind: '503-html', match: { segmentId: 602, status: 0 } });
    const before = sim.callsByKey(KEY);

    const result = await runCli(['check', '--json'], env());

    expect(result.code).toBe(0);
    expect(sim.callsByKey(KEY) - before).toBe(5);
    const report = json(result.stdout);
    expect(report.calls).toBe(5);
    expect(report.lists.find((l) => l.segmentId === 602 && l.status === 0)).toMatchObject({ tickets: 1_000, calls: 2 });
  });

  test('when the API answers with control characters, then the terminal gets them escaped', async () => {
    sim.injectFault({
      kind: 'custom',
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        response: { error: { name: 'BAD_REQUEST', message: 'segment \u001b[2J\u001b]0;owned\u0007 unknown' } },
      }),
      match: { segmentId: 602, status: 0 },
    });

    const result = await runCli(['check'], env({ SYNC_SEGMENT_NAMES: '601=Retail\u001b[31mEU' }));

    expect(result.code).toBe(2); // a 400 naming the segment: the configuration's
    // eslint-disable-next-line no-control-regex -- what must not reach the terminal
    expect(result.stdout).not.toMatch(/[\u001b\u0007]/);
    expect(result.stdout).toContain('segment \\x1b[2J\\x1b]0;owned\\x07 unknown');
    expect(result.stdout).toContain('Retail\\x1b[31mEU (601)');
  });
});

describe('npm run check with DATABASE_URL', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: LISTS, clampPerPage: 50 });
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '601,602',
    SYNC_STATUSES: '0',
    SYNC_PAGE_SIZE: '100',
    DATABASE_URL: tdb.url,
    LOG_LEVEL: '',
    ...extra,
  });

  test('when a database is configured, then the check’s calls are in the call ledger, as a sync’s are', async () => {
    const result = await runCli(['check', '--json'], env());

    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ calls: 2, callsRecorded: true });
    const [sent] = await tdb.query<{ n: number }>(`SELECT sum(calls)::int AS n FROM api_call_ledger WHERE outcome = 'sent'`);
    expect(sent?.n).toBe(2);
    const [budget] = await tdb.query<{ n: number }>('SELECT sum(calls)::int AS n FROM api_call_budgets');
    expect(budget?.n).toBe(2);
  });

  test('when a sync has read the lists, then the pages are at the size the server served, no longer assumed', async () => {
    expect((await runCli(['sync'], env())).code).toBe(0);

    const report = json((await runCli(['check', '--json'], env())).stdout);

    // The server clamps to 50 a page: 250 tickets are 5 pages, 1,000 are 20.
    expect(report.lists.map((l) => [l.segmentId, l.perPage, l.perPageAssumed, l.pages])).toEqual([
      [601, 50, false, 5],
      [602, 50, false, 20],
    ]);
  });

  test('when API_CALL_BUDGET is spent, then the check sends nothing and says so', async () => {
    const before = sim.callsByKey(KEY);
    const [spent] = await tdb.query<{ n: number }>('SELECT sum(calls)::int AS n FROM api_call_budgets');

    const result = await runCli(['check', '--json'], env({ API_CALL_BUDGET: String(spent!.n) }));

    expect(result.code).toBe(1);
    expect(sim.callsByKey(KEY)).toBe(before);
    expect(json(result.stdout)).toMatchObject({ calls: 0, stop: { kind: 'fatal', code: 'API_BUDGET_EXHAUSTED' } });
    expect(result.stderr).toContain('API_CALL_BUDGET');
  });
});
