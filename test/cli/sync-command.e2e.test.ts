import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli, runCliInTerminal, terminalUnavailable } from '../support/cli-process.js';

const KEY = 'cli-key-3c9a7e21-must-not-leak';

const noTerminal = terminalUnavailable();
// Visible in the test output, so a skipped check is never mistaken for a passed one.
if (noTerminal) console.warn(`Terminal output checks skipped: ${noTerminal}`);
const inTerminal = noTerminal ? test.skip : test;

describe('npm run sync (the built CLI as a child process)', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  const env = () => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_PAGE_SIZE: '20',
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '50',
    DATABASE_URL: tdb.url,
  });

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 501, status: 0, count: 50 },
        { segmentId: 502, status: 0, count: 30 },
        { segmentId: 502, status: 1, count: 5 },
      ],
    });
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  test('when a required variable is missing, then it exits 2 naming the variable', async () => {
    const result = await runCli(['sync'], { QUESTIONPRO_API_KEY: KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SYNC_SEGMENTS: is required');
  });

  test('when a value is invalid, then it exits 2 naming the variable and what was expected', async () => {
    const result = await runCli(['sync'], { ...env(), SYNC_SEGMENTS: '501', SYNC_PAGE_SIZE: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SYNC_PAGE_SIZE: expected a whole number between 1 and 1000/);
  });

  test.each([
    [
      ['sync'],
      { SYNC_STATUSES: '3000000000' },
      /SYNC_STATUSES: 3000000000 is out of range: status codes must be between 0 and 2147483647/,
    ],
    [
      ['sync', '--segment', '99999999999999999999'],
      {},
      /--segment: 99999999999999999999 is out of range: segment IDs must be between 1 and 9007199254740991/,
    ],
    [['sync', '--status=-4'], {}, /--status: expected a comma-separated list of status codes/],
  ])('when %j is out of what the columns hold, then it exits 2 naming it and no run is started', async (args, extra, message) => {
    const before = await tdb.query('SELECT id FROM sync_runs');
    const requestsBefore = sim.requests.length;
    const result = await runCli(args, { ...env(), SYNC_SEGMENTS: '501', ...extra });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await tdb.query('SELECT id FROM sync_runs')).toHaveLength(before.length);
    expect(sim.requests.length).toBe(requestsBefore);
  });

  test('when HTTP_HOST is a host name, then it exits 2 naming HTTP_HOST, not later with a failed lookup', async () => {
    const result = await runCli(['sync'], { ...env(), SYNC_SEGMENTS: '501', HTTP_HOST: 'example.com' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HTTP_HOST: expected an IP address to listen on, such as 0.0.0.0, 127.0.0.1 or ::');
    expect(result.stderr).not.toMatch(/ENOTFOUND|getaddrinfo/);
  });

  test('when the base URL is plain http to another host, then it exits 2 before the key is ever sent', async () => {
    const result = await runCli(['sync'], {
      ...env(),
      SYNC_SEGMENTS: '501',
      QUESTIONPRO_BASE_URL: 'http://api.questionpro.example/a/api/v2',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/QUESTIONPRO_BASE_URL: plain http:\/\/ would send the api-key in clear text/);
  });

  test('when every list syncs, then it exits 0 with the tickets stored and a summary logged', async () => {
    const result = await runCli(['sync'], { ...env(), SYNC_SEGMENTS: '501,502', SYNC_STATUSES: '0,1' });

    expect(result.code).toBe(0);
    const [row] = await tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_tickets');
    expect(row?.n).toBe(85);
    const summary = result.lines.find((l) => l['msg'] === 'run finished');
    expect(summary).toMatchObject({ runStatus: 'succeeded', ticketsInserted: 85, listsTotal: 4 });
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  test('when one segment does not exist, then it exits 1 and the other segments are stored', async () => {
    const before = await tdb.query<{ id: string }>('SELECT id FROM sync_runs');
    const result = await runCli(['sync'], { ...env(), SYNC_SEGMENTS: '777,501' });

    expect(result.code).toBe(1);
    const [run] = await tdb.query<{ status: string; id: string }>('SELECT status, id FROM sync_runs ORDER BY id DESC LIMIT 1');
    expect(run?.status).toBe('partial');
    expect(Number(run?.id)).toBe(before.length + 1);
    const failed = result.lines.find((l) => l['msg'] === 'list finished' && l['segmentId'] === 777);
    expect(failed).toMatchObject({ outcome: 'failed', httpStatus: 404, code: 'API_NOT_FOUND' });
  });

  test('when --segment and --status are given, then only that list is synced', async () => {
    const requestsBefore = sim.requests.length;
    const result = await runCli(['sync', '--segment', '502', '--status', '1'], {
      ...env(),
      SYNC_SEGMENTS: '501,502',
      SYNC_STATUSES: '0,1',
    });

    expect(result.code).toBe(0);
    const asked = sim.requests.slice(requestsBefore).map((r) => [r.segmentId, r.status]);
    // The list's one page, read once: the earlier sync verified it within the hour.
    expect(asked).toEqual([[502, 1]]);
  });

  test('when --segment or --status names a list outside SYNC_SEGMENTS / SYNC_STATUSES, then it exits 2 naming both and syncs nothing', async () => {
    const before = await tdb.query('SELECT id FROM sync_runs');
    const requestsBefore = sim.requests.length;
    const result = await runCli(['sync', '--segment', '555', '--status', '1'], { ...env(), SYNC_SEGMENTS: '501,502' });

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      'detractor-sync: invalid option',
      '  --segment: 555 is not in SYNC_SEGMENTS (501, 502): --segment picks from the configured segment IDs',
      '  --status: 1 is not in SYNC_STATUSES (0): --status picks from the configured status codes',
      '',
    ]);
    expect(await tdb.query('SELECT id FROM sync_runs')).toHaveLength(before.length);
    expect(sim.requests.length).toBe(requestsBefore);
  });

  test('when an unknown flag is given, then it exits 2 with the usage', async () => {
    const result = await runCli(['sync', '--segmnt', '1'], { ...env(), SYNC_SEGMENTS: '501' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: detractor-sync/);
  });

  inTerminal(
    'when it runs in a terminal, then it ends with a table of its lists and its exit code, the configuration only at debug',
    async () => {
      const result = await runCliInTerminal(['sync'], { ...env(), SYNC_SEGMENTS: '501,502' });

      expect(result.code).toBe(0);
      const lines = result.output.split('\n');
      expect(lines).toContainEqual(
        expect.stringMatching(/^│ \(index\) │ segment │ status │ outcome +│ passes │ api calls │ tickets │/),
      );
      // A row per list, in the order they finished (the earlier tests' runs decide which comes first).
      for (const segment of [501, 502])
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^│ [01] +│ ${segment} +│ 0 +│ 'succeeded' │`)));
      expect(lines).toContainEqual(expect.stringMatching(/^run succeeded in [\d.]+ s: /));
      expect(lines.filter((l) => l !== '').at(-1)).toBe('exit 0: every list synced');
      // One line per log entry, and the version, not the configuration, at the start.
      expect(lines).toContainEqual(expect.stringMatching(/INFO: starting \{"command":"sync","version":"\d+\.\d+\.\d+"\}$/));
      expect(result.output).not.toMatch(/rateLimitPerMinute|"config"/);
      expect(lines.length).toBeLessThan(40);
      expect(result.output).not.toContain(KEY);

      // At debug, the configuration is there, masked: the check above can fail.
      const debug = await runCliInTerminal(['sync'], { ...env(), SYNC_SEGMENTS: '501', LOG_LEVEL: 'debug' });
      expect(debug.code).toBe(0);
      expect(debug.output).toMatch(
        /DEBUG: configuration \{"config":\{"questionpro":\{"apiKey":"\[redacted\]",.*"rateLimitPerMinute":/,
      );
      expect(debug.output).not.toContain(KEY);
    },
  );

  test('when stdout is not a terminal, then the configuration stays on the starting line (one JSON line) and no table is printed', async () => {
    const result = await runCli(['sync'], { ...env(), SYNC_SEGMENTS: '501' });
    expect(result.code).toBe(0);
    const starting = result.lines.find((l) => l['msg'] === 'starting');
    expect(starting).toMatchObject({ level: 30, command: 'sync', config: { sync: { segments: [501] } } });
    expect(result.stdout).not.toContain('│');
  });
});
