import { afterEach, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// The calls a run records (sync_runs.api_calls, and per list api_calls and api_retries)
// are the calls the server received and the ledger counted: for lists that failed after
// retries and for runs the budget cut short as much as for clean ones.

const KEY = 'counters-key-31b7c2e9-never-logged';

describe('what a run records of the calls it spent (the built CLI)', () => {
  let sim: QuestionProSimulator | undefined;
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await sim?.close();
    await tdb?.close();
  });

  const sync = (segments: string, extra: Record<string, string> = {}) =>
    runCli(['sync'], {
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: sim!.baseUrl,
      SYNC_SEGMENTS: segments,
      SYNC_PAGE_SIZE: '10',
      DATABASE_URL: tdb!.url,
      RETRY_ATTEMPTS: '3',
      RETRY_MIN_DELAY_MS: '10',
      RETRY_MAX_DELAY_MS: '50',
      ...extra,
    });

  async function recorded() {
    const [run] = await tdb!.query<{ api_calls: number }>('SELECT sum(api_calls)::int AS api_calls FROM sync_runs');
    const [ledger] = await tdb!.query<{ sent: number }>(
      `SELECT coalesce(sum(calls), 0)::int AS sent FROM api_call_ledger WHERE outcome = 'sent'`,
    );
    const lists = await tdb!.query<{ segment_id: number; outcome: string; api_calls: number; api_retries: number }>(
      'SELECT segment_id::int AS segment_id, outcome, api_calls, api_retries FROM sync_run_segments ORDER BY segment_id',
    );
    return { runCalls: run?.api_calls, ledgerSent: ledger?.sent, lists };
  }

  test('when a list fails after its retries, then its retries are counted and the run records every call the server received', async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 811, status: 0, count: 25 },
        { segmentId: 812, status: 0, count: 25 },
      ],
    });
    sim.injectFault({ kind: '500', times: 100, match: { segmentId: 812 } });
    tdb = await createTestDatabase();

    expect((await sync('811,812')).code).toBe(1);

    const { runCalls, ledgerSent, lists } = await recorded();
    expect(lists).toEqual([
      { segment_id: 811, outcome: 'succeeded', api_calls: 3, api_retries: 0 },
      { segment_id: 812, outcome: 'failed', api_calls: 4, api_retries: 3 },
    ]);
    expect(sim.callsByKey(KEY)).toBe(7);
    expect(runCalls).toBe(7);
    expect(ledgerSent).toBe(7);
  }, 120_000);

  test("when the licence's allowance runs out in the middle of a run, then the run records exactly the calls sent, as the ledger does", async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      callAllowance: 6,
      lists: [
        { segmentId: 813, status: 0, count: 45 },
        { segmentId: 814, status: 0, count: 45 },
      ],
    });
    tdb = await createTestDatabase();

    expect((await sync('813,814', { SYNC_CONCURRENCY: '1' })).code).toBe(1);

    const { runCalls, ledgerSent, lists } = await recorded();
    const sent = sim.callsByKey(KEY);
    expect(sent).toBe(7); // 6 answered, the 7th refused with the quota error (a call all the same)
    expect(lists.map((l) => l.outcome)).toContain('failed');
    expect(runCalls).toBe(sent);
    expect(ledgerSent).toBe(sent);
  }, 120_000);
});
