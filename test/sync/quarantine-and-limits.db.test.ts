import { afterEach, describe, expect, test } from '@jest/globals';
import { SlidingWindowLimiter, type Clock } from '../../src/questionpro/rate-limiter.js';
import { answered, holdRequests } from '../support/hold-requests.js';
import { expectMatchesSource, goneMemberships } from '../support/source-truth.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

describe('records that fail validation', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when one record of a page is malformed, then it is quarantined and the rest of the page is stored', async () => {
    h = await startHarness({ segments: [711], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'invalid-record', match: { segmentId: 711, page: 2 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    const rejects = await h.tdb.query<{
      run_id: string;
      segment_id: string;
      status: number;
      page: number;
      request_id: string;
      ticket_id: string | null;
      reason: string;
      raw: { ticketID: unknown };
    }>('SELECT run_id, segment_id, status, page, request_id, ticket_id, reason, raw FROM sync_rejects');
    expect(rejects).toHaveLength(1);
    const faulted = h.sim.requests.find((r) => r.fault === 'invalid-record');
    expect(rejects[0]).toMatchObject({
      run_id: String(report.runId),
      segment_id: '711',
      status: 0,
      page: 2,
      request_id: faulted?.requestId,
      ticket_id: null,
      raw: { ticketID: 'abc' },
    });
    expect(rejects[0]?.reason).toMatch(/^ticketID: /);
    expect(report.lists[0]?.counts.ticketsRejected).toBe(1);
    const [run] = await h.tdb.query<{ tickets_rejected: number }>('SELECT tickets_rejected FROM sync_runs');
    expect(run?.tickets_rejected).toBe(1);
    // Without a usable ticketID it could be any ticket: the list is not verified, so the next
    // run reads it again, finds the record intact, and nothing is missing in the end.
    expect(report.lists[0]).toMatchObject({ verified: false });
    await h.run();
    await expectMatchesSource(h.sim, h.tdb, [[711, 0]]);
  });

  test('when a stored ticket keeps arriving without a usable ticketID, then nothing is marked gone', async () => {
    h = await startHarness({ segments: [712], ticketsPerList: 30, perPage: 10 });
    await h.run();
    h.sim.injectFault({ kind: 'invalid-record', times: 100, match: { segmentId: 712, page: 2 } });

    const report = await h.run();

    expect(report.lists[0]?.counts.ticketsRejected).toBeGreaterThan(0);
    expect(await goneMemberships(h.tdb)).toEqual([]);
    expect(h.logs.lines().some((l) => l['msg'] === 'closures skipped: quarantined records without a ticketID')).toBe(true);
  });
});

describe('rate limits', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when the API answers 429 without Retry-After, then it backs off and retries', async () => {
    h = await startHarness({ segments: [721], ticketsPerList: 25, perPage: 10 });
    h.sim.injectFault({ kind: '429', times: 2, match: { segmentId: 721, page: 2 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(report.lists[0]?.counts.apiRetries).toBe(2);
    expect(h.logs.lines().filter((l) => l['msg'] === 'api call failed' && l['code'] === 'API_RATE_LIMITED')).toHaveLength(2);
    expect(h.logs.lines().some((l) => l['msg'] === 'waiting for Retry-After')).toBe(false);
    await expectMatchesSource(h.sim, h.tdb, [[721, 0]]);
  });

  test('when the call allowance is used up (429 quota), then the run ends at once with a clear message', async () => {
    h = await startHarness({ segments: [722, 723], ticketsPerList: 25, perPage: 10 });
    h.sim.injectFault({ kind: '429-quota', times: 50, match: { segmentId: 722, page: 2 } });
    // List 723 is read concurrently: its answers wait until 722 has been told the allowance
    // is used up, so it cannot finish first, however loaded the machine.
    const quotaAnswered = answered(h.sim, (answer) => answer.fault === '429-quota');
    holdRequests(h.sim, (request) => (request.segmentId === 723 ? quotaAnswered : undefined));

    const report = await h.run();

    expect(report.status).toBe('failed');
    // The other list, read concurrently, is stopped (or never started) by the same error.
    expect(report.lists[0]).toMatchObject({ outcome: 'failed', code: 'API_QUOTA_EXHAUSTED' });
    expect(['aborted', 'skipped']).toContain(report.lists[1]?.outcome);
    expect(report.lists[1]?.code).toBe('API_QUOTA_EXHAUSTED');
    expect(h.sim.requests.filter((r) => r.fault === '429-quota')).toHaveLength(1);
    expect(report.error).toMatch(/API call allowance of this QuestionPro licence is used up .*HTTP 429.*id 1013.*requestID \S+/);
    const [run] = await h.tdb.query<{ error_code: string }>('SELECT error_code FROM sync_runs');
    expect(run?.error_code).toBe('API_QUOTA_EXHAUSTED');
  });
});

describe('the client-side rate limiter', () => {
  /** A clock that only moves when the limiter sleeps: no real time, no timing in the test. */
  function fakeClock(): Clock & { sleeps: number[] } {
    let now = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => now,
      sleep: (ms) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
  }

  test('when more calls than the limit are made, then no window of that length ever holds more than the limit', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(5, 1_000, clock);
    const starts: number[] = [];
    for (let i = 0; i < 23; i++) {
      await limiter.acquire();
      starts.push(clock.now());
    }
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(1_000);
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]); // the first `limit` calls go at once
    expect(clock.now()).toBe(4_000); // 23 calls at 5 per second: the last group starts after 4 windows
    expect(limiter.totalWaitMs).toBe(clock.sleeps.reduce((a, b) => a + b, 0));
  });

  test('when callers arrive concurrently, then they are served in arrival order within the limit', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter(2, 100, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(clock.now()).toBe(200);
  });

  test('when shutdown aborts a wait, then the waiting caller is released with an abort', async () => {
    const controller = new AbortController();
    const limiter = new SlidingWindowLimiter(1, 60_000);
    await limiter.acquire(controller.signal);
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
  });

  test('when the limit is not a positive integer, then it is refused', () => {
    expect(() => new SlidingWindowLimiter(0)).toThrow(RangeError);
  });
});
