import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { differences, ticketRows } from '../support/expectations.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

/** Every ticket of every list is stored exactly as served: none lost, none duplicated. */
async function expectComplete(h: Harness, lists: Array<[number, number]>): Promise<void> {
  const rows = await ticketRows(h.tdb);
  const diffs: string[] = [];
  let expected = 0;
  for (const [segmentId, status] of lists) {
    for (const ticket of h.sim.list(segmentId, status)) {
      expected += 1;
      diffs.push(...differences(rows.get(ticket.ticketID), ticket, status));
    }
  }
  expect(diffs).toEqual([]);
  expect(rows.size).toBe(expected);
  const [dupes] = await h.tdb.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT 1 FROM detractor_ticket_segments GROUP BY segment_id, status, ticket_id HAVING count(*) > 1) d',
  );
  expect(dupes?.n).toBe(0);
}

describe('transient API faults', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ segments: [301, 302], ticketsPerList: 45, perPage: 10 });
  });
  afterEach(async () => h.close());

  test('when a page answers 500 (invalid JSON body) twice, then it is retried and stored once', async () => {
    h.sim.injectFault({ kind: '500', times: 2, match: { segmentId: 301, page: 3 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(report.lists[0]?.counts.apiRetries).toBe(2);
    await expectComplete(h, [
      [301, 0],
      [302, 0],
    ]);
    const retries = h.logs.lines().filter((l) => l['msg'] === 'api call failed');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({
      httpStatus: 500,
      apiErrorName: 'INTERNAL_SERVER_ERROR',
      apiErrorId: '1026',
      segmentId: 301,
      page: 3,
    });
    expect(typeof retries[0]?.['requestId']).toBe('string');
  });

  test('when the API answers 502, 504, an HTML 503 and resets connections, then every fault is survived', async () => {
    h.sim.injectFault({ kind: '502', match: { segmentId: 301, page: 1 } });
    h.sim.injectFault({ kind: '503-html', match: { segmentId: 301, page: 2 } });
    h.sim.injectFault({ kind: '504', match: { segmentId: 302, page: 4 } });
    h.sim.injectFault({ kind: 'reset', times: 2, match: { segmentId: 302, page: 5 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(report.lists.map((l) => l.counts.apiRetries)).toEqual([2, 3]);
    await expectComplete(h, [
      [301, 0],
      [302, 0],
    ]);
    const html = h.logs.lines().find((l) => l['httpStatus'] === 503);
    expect(html?.['apiMessage']).toMatch(/^HTML page/);
  });

  test('when a request times out, then it is retried', async () => {
    h.sim.injectFault({ kind: 'timeout', delayMs: 5_000, match: { segmentId: 302, page: 2 } });

    const report = await h.run({ client: h.client({ timeoutMs: 300 }) });

    expect(report.status).toBe('succeeded');
    expect(h.logs.lines().some((l) => l['msg'] === 'api call failed' && l['code'] === 'API_TIMEOUT')).toBe(true);
    await expectComplete(h, [
      [301, 0],
      [302, 0],
    ]);
  });

  test('when the API answers 429 with Retry-After, then the wait is honoured and the page stored', async () => {
    h.sim.injectFault({ kind: '429', retryAfterSeconds: 1, match: { segmentId: 301, page: 2 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    const wait = h.logs.lines().find((l) => l['msg'] === 'waiting for Retry-After');
    expect(wait).toMatchObject({ waitMs: 50 }); // capped by the harness' RETRY_MAX_DELAY of 50 ms
    await expectComplete(h, [
      [301, 0],
      [302, 0],
    ]);
  });

  test('when a 5xx outlasts every retry, then that list fails with the API details and the other list is stored', async () => {
    h.sim.injectFault({ kind: '500', times: 100, match: { segmentId: 301, page: 2 } });

    const report = await h.run({ client: h.client({ retries: 2 }) });

    expect(report.status).toBe('partial');
    const requestsForPage = h.sim.requests.filter((r) => r.segmentId === 301 && r.page === 2);
    expect(requestsForPage).toHaveLength(3);
    const [failed] = await h.tdb.query<Record<string, unknown>>(
      `SELECT outcome, pages, tickets_inserted, error_code, error_http_status, error_api_id, error_request_id, error_message
       FROM sync_run_segments WHERE segment_id = 301`,
    );
    expect(failed).toMatchObject({ outcome: 'failed', error_code: 'API_HTTP_500', error_http_status: 500, error_api_id: '1026' });
    expect(failed?.['error_request_id']).toBe(requestsForPage[2]?.requestId);
    expect(failed?.['error_message']).toMatch(
      /HTTP 500, INTERNAL_SERVER_ERROR, id 1026, "We are not able to process your request", requestID /,
    );
    // The failed list's pages that were read stay stored (pages are fetched concurrently,
    // so that is page 1 and whatever arrived beside page 2); the other list is complete.
    const rows = await ticketRows(h.tdb);
    expect(Number(failed?.['tickets_inserted'])).toBeGreaterThanOrEqual(10);
    expect(rows.size).toBe(Number(failed?.['tickets_inserted']) + 45);
    expect(Number(failed?.['pages'])).toBe(Math.ceil(Number(failed?.['tickets_inserted']) / 10));
  });
});

describe('network failures that outlast the retries', () => {
  test('when the API cannot be reached, then the list fails with the network code and the key stays out of the logs', async () => {
    const h = await startHarness({ segments: [351], ticketsPerList: 5 });
    try {
      h.sim.injectFault({ kind: 'reset', times: 10 });
      const report = await h.run({ client: h.client({ retries: 1 }) });

      expect(report.status).toBe('failed');
      const [list] = await h.tdb.query<{ error_code: string; error_message: string }>(
        'SELECT error_code, error_message FROM sync_run_segments',
      );
      expect(list?.error_code).toBe('API_NETWORK');
      expect(list?.error_message).toMatch(/ECONNRESET|socket hang up/);
      const finished = h.logs.lines().find((l) => l['msg'] === 'list finished');
      expect(finished?.['err']).toBeDefined(); // the error and its cause (an axios error with the request config) are logged...
      expect(h.logs.text()).not.toContain('test-key-5f1e9c0d'); // ...without the api-key header
    } finally {
      await h.close();
    }
  });
});

describe('API errors that retrying cannot fix', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ segments: [401, 402, 403], ticketsPerList: 12, perPage: 5 });
  });
  afterEach(async () => h.close());

  test('when the API key is wrong, then the run ends after one request, recorded as failed', async () => {
    const report = await h.run({ client: h.client({ apiKey: 'wrong-key' }) });

    expect(report.status).toBe('failed');
    expect(h.sim.requests).toHaveLength(1);
    expect(report.lists.map((l) => l.outcome)).toEqual(['failed', 'skipped', 'skipped']);
    const [run] = await h.tdb.query<{ status: string; error_code: string; error_message: string }>(
      'SELECT status, error_code, error_message FROM sync_runs',
    );
    expect(run).toMatchObject({ status: 'failed', error_code: 'API_UNAUTHORIZED' });
    expect(run?.error_message).toMatch(/HTTP 401, UNAUTHORIZED, id 1010, "Incorrect API Key", requestID \S+/);
    expect(h.logs.text()).not.toContain('wrong-key');
  });

  test('when one segment is unknown (404), then the others are stored and the run is partial', async () => {
    const lists = [401, 999, 403].map((segmentId) => ({ segmentId, status: 0, perPage: 5 }));

    const report = await h.run({ lists });

    expect(report.status).toBe('partial');
    expect(report.lists.map((l) => l.outcome)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(h.sim.requests.filter((r) => r.segmentId === 999)).toHaveLength(1);
    await expectComplete(h, [
      [401, 0],
      [403, 0],
    ]);
    const [failed] = await h.tdb.query<Record<string, unknown>>(
      'SELECT error_code, error_http_status, error_api_id, error_request_id FROM sync_run_segments WHERE segment_id = 999',
    );
    expect(failed).toMatchObject({ error_code: 'API_NOT_FOUND', error_http_status: 404, error_api_id: '1040' });
    expect(failed?.['error_request_id']).toEqual(expect.any(String));
    const logged = h.logs.lines().find((l) => l['msg'] === 'list finished' && l['segmentId'] === 999);
    expect(logged).toMatchObject({
      outcome: 'failed',
      httpStatus: 404,
      apiErrorName: 'NOT_FOUND',
      requestId: failed?.['error_request_id'],
    });
  });

  test('when the API refuses the request (400) or access (403), then that list fails at once without retries', async () => {
    h.sim.injectFault({ kind: '403', match: { segmentId: 402 } });
    const lists = [
      { segmentId: 401, status: 0, perPage: 5000 }, // above the simulator's maximum: 400, and again at 100
      { segmentId: 402, status: 0, perPage: 5 },
      { segmentId: 403, status: 0, perPage: 5 },
    ];
    const vendor400 = '{"response":{"error":{"name":"BAD_REQUEST","id":"1000","message":"Bad request"}},"requestID":"r-400"}';
    h.sim.injectFault({ kind: 'custom', status: 400, body: vendor400, times: 5, match: { segmentId: 401, page: 1 } });

    const report = await h.run({ lists });

    expect(report.lists.map((l) => [l.outcome, l.error?.match(/HTTP (\d+)/)?.[1]])).toEqual([
      ['failed', '400'],
      ['failed', '403'],
      ['succeeded', undefined],
    ]);
    // 401: the size refused, then once more at the documented default (refused again); 402: once.
    expect(h.sim.requests.filter((r) => r.segmentId !== 403).map((r) => r.perPage)).toEqual([5000, 100, 5]);
  });

  test('when the API answers 200 without pagination, then the list fails naming what is missing', async () => {
    h.sim.injectFault({ kind: 'bad-envelope', match: { segmentId: 401, page: 1 } });

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ outcome: 'failed' });
    expect(report.lists[0]?.error).toMatch(/does not match the documented shape \(pagination: /);
    expect(report.status).toBe('partial');
  });
});
