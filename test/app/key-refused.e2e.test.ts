import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startWorker } from '../support/worker-under-test.js';

// A key QuestionPro refuses is an operator's to fix, not a failure the next run retries:
// `sync` exits 2 with one line saying what the API answered and which variable to fix, no
// stack trace; the worker says the same in one log line and stays up.

const KEY = 'refused-key-7a1c90e4-the-right-one';
const WRONG = 'refused-key-0000-the-wrong-one';
const STACK = /^\s+at /m;

describe('a key the API refuses', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 931, status: 0, count: 15 },
        { segmentId: 932, status: 0, count: 15 },
      ],
    });
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  const env = (apiKey: string, segments = '931,932') => ({
    QUESTIONPRO_API_KEY: apiKey,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: segments,
    SYNC_PAGE_SIZE: '10',
    DATABASE_URL: tdb.url,
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '50',
  });

  test('when sync runs with a key the API rejects (401), then it exits 2 with one line naming QUESTIONPRO_API_KEY, after one call', async () => {
    const requestsBefore = sim.requests.length;
    const result = await runCli(['sync'], env(WRONG));

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^detractor-sync: QuestionPro rejected the API key \(HTTP 401, UNAUTHORIZED, id 1010, "Incorrect API Key", requestID [\w-]+\): fix QUESTIONPRO_API_KEY /,
      ),
      '',
    ]);
    expect(result.stdout + result.stderr).not.toMatch(STACK);
    // The simulator counts only the calls of keys it knows (callsByKey): the refused ones are in its request log.
    expect(sim.requests.slice(requestsBefore).map((r) => r.httpStatus)).toEqual([401]);
    expect(result.stdout + result.stderr).not.toContain(WRONG);
    const [run] = await tdb.query<{ status: string; error_code: string }>(
      'SELECT status, error_code FROM sync_runs ORDER BY id DESC LIMIT 1',
    );
    expect(run).toEqual({ status: 'failed', error_code: 'API_UNAUTHORIZED' });
  });

  test('when the API forbids one segment to the key (403), then the other is stored and it exits 2 naming the segment', async () => {
    const body = JSON.stringify({
      response: {
        error: {
          docs: 'www.questionpro.com/api/error-codes.html',
          name: 'FORBIDDEN',
          httpStatusCode: 403,
          id: '1013',
          message: 'The user does not have permission to access the resource',
          resourceUrl: 'resource_url',
        },
      },
    });
    sim.injectFault({ kind: 'custom', status: 403, body, times: 10, match: { segmentId: 932 } });
    try {
      const result = await runCli(['sync'], env(KEY));

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^detractor-sync: QuestionPro refused the API key access to segment 932 status 0 \(HTTP 403, FORBIDDEN, id 1013, "The user does not have permission to access the resource", requestID [\w-]+\): fix QUESTIONPRO_API_KEY .*SYNC_SEGMENTS\n$/,
      );
      expect(result.stdout + result.stderr).not.toMatch(STACK);
      const stored = await tdb.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM detractor_ticket_segments WHERE segment_id = 931 AND gone_at IS NULL',
      );
      expect(stored).toEqual([{ n: 15 }]);
    } finally {
      sim.clearFaults();
    }
  });

  test('when the worker’s first run meets a rejected key, then it logs one line saying what to fix, without a stack, and stays up', async () => {
    const requestsBefore = sim.requests.length;
    const worker = await startWorker({ apiKey: WRONG, baseUrl: sim.baseUrl, databaseUrl: tdb.url, segments: [931, 932] });
    try {
      const refused = await worker.waitForLine((l) => l['msg'] === 'api key refused');

      expect(refused).toMatchObject({
        level: 50,
        code: 'API_UNAUTHORIZED',
        answer: expect.stringMatching(/^HTTP 401, UNAUTHORIZED, id 1010, "Incorrect API Key", requestID [\w-]+$/) as unknown,
        reason: expect.stringContaining('fix QUESTIONPRO_API_KEY') as unknown,
      });
      expect(worker.stdout() + worker.stderr()).not.toMatch(STACK);
      expect(sim.requests.slice(requestsBefore).map((r) => r.httpStatus)).toEqual([401]);
      // Up and answering: the page and /readyz show the problem until the key is fixed.
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      expect(worker.child.exitCode).toBeNull();
    } finally {
      expect(await worker.stop()).toBe(0);
    }
    expect(worker.stdout() + worker.stderr()).not.toContain(WRONG);
  });
});
