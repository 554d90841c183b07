import { afterEach, describe, expect, test } from '@jest/globals';
import type { SimTicket } from '../../src/sim/ticket-generator.js';
import { expectMatchesSource } from '../support/source-truth.js';
import { startHarness, TEST_API_KEY, type Harness } from '../support/sync-harness.js';

// A hostile or broken source, row by row: whatever it sends, every record is stored or
// quarantined, no run hangs, and the calls spent stay bounded by the list's size.

/** Replaces tickets of a list in the simulator, by position in served order. */
function tamper(h: Harness, segmentId: number, edits: Record<number, (t: SimTicket) => Record<string, unknown>>): SimTicket[] {
  const list = h.sim.list(segmentId, 0);
  const changed = list.map((t, i) => (edits[i] ? (edits[i](t) as unknown as SimTicket) : t));
  h.sim.setList(segmentId, 0, changed);
  return changed;
}

async function storedTicket(h: Harness, ticketId: number) {
  const [row] = await h.tdb.query<{ comment: string; raw: Record<string, unknown> }>(
    'SELECT comment, raw FROM detractor_tickets WHERE ticket_id = $1',
    [ticketId],
  );
  return row;
}

describe('text the database cannot hold', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when records carry NUL (in comment or an extra field) or half an emoji, then they are stored with U+FFFD and the page is complete', async () => {
    h = await startHarness({ segments: [731], ticketsPerList: 30, perPage: 10 });
    const list = tamper(h, 731, {
      11: (t) => ({ ...t, comment: 'before\u0000after' }),
      12: (t) => ({ ...t, extra: 'x\u0000y' }),
      13: (t) => ({ ...t, comment: 'half \ud83d emoji' }),
    });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets')).toHaveLength(30);
    expect((await storedTicket(h, list[11]!.ticketID))?.comment).toBe('before\uFFFDafter');
    expect((await storedTicket(h, list[12]!.ticketID))?.raw['extra']).toBe('x\uFFFDy');
    expect((await storedTicket(h, list[13]!.ticketID))?.comment).toBe('half \uFFFD emoji');
    // The valid tickets after them on that page are stored exactly.
    const untouched = list.filter((_, i) => ![11, 12, 13].includes(i)).map((t) => t.ticketID);
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets WHERE ticket_id = ANY($1::bigint[])', [untouched])).toHaveLength(
      27,
    );
    expect(h.logs.lines().filter((l) => String(l['msg']).startsWith('record text repaired'))).not.toHaveLength(0);
  });

  test('when a quarantined record holds NUL, then its quarantine row is written and keeps the original losslessly', async () => {
    h = await startHarness({ segments: [732], ticketsPerList: 20, perPage: 10 });
    tamper(h, 732, { 14: (t) => ({ ...t, ticketID: 'abc', comment: 'nul\u0000here' }) });

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ outcome: 'succeeded', counts: { ticketsRejected: 1 } });
    const [reject] = await h.tdb.query<{ raw: { comment: string }; raw_text: string; page: number }>(
      'SELECT raw, raw_text, page FROM sync_rejects',
    );
    expect(reject?.raw.comment).toBe('nul\uFFFDhere');
    expect(JSON.parse(reject!.raw_text)).toMatchObject({ ticketID: 'abc', comment: 'nul\u0000here' });
    expect(reject?.page).toBe(2);
  });
});

describe('implausible timestamps and oversized IDs', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when timestamps are out of any sane range, then those records are quarantined and the list result names them', async () => {
    h = await startHarness({ segments: [733], ticketsPerList: 20, perPage: 10 });
    const list = tamper(h, 733, {
      3: (t) => ({ ...t, timestamp: '9999-12-31T23:59:59-1200' }),
      4: (t) => ({ ...t, timestamp: '0000-01-01T00:00:00.000+0000' }),
      15: (t) => ({ ...t, timestamp: '0050-06-01T00:00:00.000+0000' }),
    });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets')).toHaveLength(17);
    const notes = report.lists[0]?.quarantined ?? [];
    expect(notes.map((n) => [n.page, n.ticketId])).toEqual(
      expect.arrayContaining([
        [1, String(list[3]!.ticketID)],
        [1, String(list[4]!.ticketID)],
        [2, String(list[15]!.ticketID)],
      ]),
    );
    expect(notes.every((n) => typeof n.requestId === 'string' && /plausible range 1970-2200/.test(n.reason))).toBe(true);
    const years = await h.tdb.query<{ y: number }>(
      'SELECT DISTINCT extract(year FROM created_at)::int AS y FROM detractor_tickets WHERE created_at < $1',
      ['1970-01-01'],
    );
    expect(years).toEqual([]);
  });

  test('when a ticketID is above 2^53, then it is quarantined with its exact digits, never rounded onto another ticket', async () => {
    h = await startHarness({ segments: [734], ticketsPerList: 10, perPage: 10 });
    h.sim.injectFault({
      kind: 'custom',
      match: { segmentId: 734, page: 1 },
      times: 10,
      body: (page) => JSON.stringify(page).replace(`"ticketID":${page.response[0]!.ticketID},`, '"ticketID":9007199254740993,'),
    });

    const report = await h.run();

    expect(report.lists[0]?.counts.ticketsRejected).toBe(1);
    const rejects = await h.tdb.query<{ ticket_id: string; raw_text: string; reason: string }>(
      'SELECT ticket_id, raw_text, reason FROM sync_rejects',
    );
    expect(rejects[0]).toMatchObject({
      ticket_id: '9007199254740993',
      reason: 'ticketID: 9007199254740993 is beyond 2^53 - 1 and cannot be read exactly',
    });
    expect(rejects[0]?.raw_text).toContain('9007199254740993');
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets WHERE ticket_id = 9007199254740992')).toEqual([]);
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets')).toHaveLength(9);
  });
});

describe('servers that stall, cut off or flood', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when a body trickles in one byte at a time, then the deadline covers the body and the request is retried', async () => {
    h = await startHarness({ segments: [735], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'slow-body', intervalMs: 200, match: { segmentId: 735, page: 2 } });

    const report = await h.run({ client: h.client({ timeoutMs: 400 }) });

    expect(report.status).toBe('succeeded');
    expect(report.lists[0]?.counts.apiRetries).toBe(1);
    const failures = h.logs.lines().filter((l) => l['msg'] === 'api call failed');
    expect(failures).toEqual([expect.objectContaining({ code: 'API_TIMEOUT', willRetry: true, page: 2 })]);
    await expectMatchesSource(h.sim, h.tdb, [[735, 0]]);
  });

  test('when the connection resets in the middle of a body, then it is retried like any transient failure', async () => {
    h = await startHarness({ segments: [736], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'reset-mid-body', bytes: 20, match: { segmentId: 736, page: 3 } });

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(report.lists[0]?.counts.apiRetries).toBe(1);
    expect(h.logs.lines().filter((l) => l['msg'] === 'api call failed')).toEqual([
      expect.objectContaining({ code: 'API_NETWORK', willRetry: true }),
    ]);
    await expectMatchesSource(h.sim, h.tdb, [[736, 0]]);
  });

  test('when a body is larger than the cap, then it is refused while it streams in and the other lists go on', async () => {
    h = await startHarness({ segments: [737, 738], ticketsPerList: 20, perPage: 10 });
    h.sim.injectFault({ kind: 'huge-body', bytes: 256 * 1_048_576, times: 10, match: { segmentId: 737 } });

    const report = await h.run({ client: h.client({ maxResponseBytes: 1_048_576 }) });

    expect(report.lists.find((l) => l.segmentId === 737)).toMatchObject({ outcome: 'failed', code: 'API_RESPONSE_TOO_LARGE' });
    expect(report.lists.find((l) => l.segmentId === 738)?.outcome).toBe('succeeded');
    const huge = h.sim.requests.filter((r) => r.fault === 'huge-body');
    expect(huge).toHaveLength(1); // refused, not retried: it would be as large again
    expect(huge[0]!.bytesSent!).toBeLessThan(32 * 1_048_576); // the client hung up long before 256 MiB
    const [list] = await h.tdb.query<{ error_message: string }>(
      'SELECT error_message FROM sync_run_segments WHERE segment_id = 737',
    );
    expect(list?.error_message).toMatch(/larger than HTTP_MAX_RESPONSE_BYTES \(1048576 bytes\)/);
  });
});

describe('servers that repeat or run away', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when every page asked is page 1 again (with a billion pages announced), then the list fails within a few calls', async () => {
    h = await startHarness({ segments: [739, 740], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'repeat-page', times: 1_000, match: { segmentId: 739 } });

    const report = await h.run();

    expect(report.lists.find((l) => l.segmentId === 739)).toMatchObject({ outcome: 'failed', code: 'API_PAGES_REPEATING' });
    expect(report.lists.find((l) => l.segmentId === 739)?.error).toMatch(
      /page \d+ repeats page 1 record for record \(requestID \S+\)/,
    );
    // 3 passes, each page 1 plus at most 4 pages in flight when the repeat is seen.
    expect(h.sim.requests.filter((r) => r.segmentId === 739).length).toBeLessThanOrEqual(15);
    await expectMatchesSource(h.sim, h.tdb, [[740, 0]]);
  });

  test('when every page asked is page 1 with a field changed (a billion pages announced), then the list stops within 20 calls, one history version per ticket', async () => {
    h = await startHarness({ segments: [738], ticketsPerList: 100, perPage: 100 });
    h.sim.injectFault({ kind: 'near-repeat', times: 1_000, match: { segmentId: 738 } });

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ outcome: 'failed', code: 'API_PAGES_REPEATING' });
    expect(report.lists[0]?.error).toMatch(/page \d+ holds only tickets read earlier in this pass \(requestID \S+\)/);
    expect(h.sim.requests.filter((r) => r.segmentId === 738).length).toBeLessThanOrEqual(20);
    const [versions] = await h.tdb.query<{ most: number; tickets: number }>(
      'SELECT max(n)::int AS most, count(*)::int AS tickets FROM (SELECT ticket_id, count(*) AS n FROM detractor_ticket_versions GROUP BY ticket_id) v',
    );
    expect(versions).toEqual({ most: 1, tickets: 100 });
  });

  test('when totalPages is far beyond what totalItems justifies and pages never end, then reading stops at the bound', async () => {
    h = await startHarness({ segments: [741], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'endless', totalItems: 10, times: 1_000, match: { segmentId: 741 } });

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ outcome: 'failed', code: 'API_PAGING_RUNAWAY' });
    expect(report.lists[0]?.error).toMatch(
      /announces 1000000000 pages, but page 1's totalItems \(10\) justifies 1: stopped after 3 pages/,
    );
    expect(h.sim.requests.filter((r) => r.segmentId === 741)).toHaveLength(3);
  });
});

describe('servers that echo the api-key', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when error pages and records echo the key, then it reaches no log line, stored error, reject or raw JSON', async () => {
    h = await startHarness({ segments: [742, 743, 744], ticketsPerList: 20, perPage: 10 });
    h.sim.injectFault({ kind: 'echo-key', times: 100, match: { segmentId: 742 } });
    h.sim.injectFault({ kind: 'echo-key', format: 'json', status: 400, times: 100, match: { segmentId: 743 } });
    tamper(h, 744, {
      2: (t) => ({ ...t, comment: `forwarded by proxy, api-key: ${TEST_API_KEY}` }),
      3: (t) => ({ ...t, [`X-${TEST_API_KEY}`]: TEST_API_KEY }),
      4: (t) => ({ ...t, ticketID: `bad ${TEST_API_KEY}` }),
    });

    const report = await h.run();

    expect(report.lists.map((l) => l.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(report.lists[0]?.error).toMatch(/HTTP 502.*requestID \S+/);
    const tables = await h.tdb.query<{ dump: string }>(`
      SELECT (SELECT coalesce(string_agg(error_message, ' '), '') FROM sync_run_segments)
          || (SELECT coalesce(string_agg(coalesce(error_message, ''), ' '), '') FROM sync_runs)
          || (SELECT coalesce(string_agg(reason || raw::text || raw_text, ' '), '') FROM sync_rejects)
          || (SELECT coalesce(string_agg(raw::text || comment, ' '), '') FROM detractor_tickets)
          || (SELECT coalesce(string_agg(coalesce(last_error_message, ''), ' '), '') FROM v_sync_health) AS dump`);
    expect(tables[0]?.dump).toContain('[redacted]');
    expect(tables[0]?.dump).not.toContain(TEST_API_KEY);
    expect(h.logs.text()).toContain('[redacted]');
    expect(h.logs.text()).not.toContain(TEST_API_KEY);
  });
});

describe('identifiers the database cannot hold', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when a good page has a NUL in its requestID and an error a NUL in its id and requestID, then the good lists are stored and only the bad one fails', async () => {
    h = await startHarness({ segments: [751, 752, 753], ticketsPerList: 20, perPage: 10 });
    h.sim.injectFault({
      kind: 'custom',
      times: 100,
      match: { segmentId: 752 },
      body: (page) => JSON.stringify({ ...page, requestID: 'req\u0000uest' }),
    });
    const error = {
      response: { error: { name: 'Bad\u0000Request', id: 'id\u0000', message: 'no\u0000pe' } },
      requestID: '\u0000',
    };
    h.sim.injectFault({ kind: 'custom', status: 400, times: 100, match: { segmentId: 753 }, body: JSON.stringify(error) });

    const report = await h.run();

    expect(report.status).toBe('partial');
    expect(report.lists.map((l) => [l.segmentId, l.outcome])).toEqual([
      [751, 'succeeded'],
      [752, 'succeeded'],
      [753, 'failed'],
    ]);
    const stored = await h.tdb.query<{ segment_id: number; n: number; request_ids: string[] }>(
      `SELECT m.segment_id::int AS segment_id, count(*)::int AS n, array_agg(DISTINCT t.last_request_id) AS request_ids
       FROM detractor_tickets t JOIN detractor_ticket_segments m USING (ticket_id) GROUP BY 1 ORDER BY 1`,
    );
    expect(stored.map((s) => [s.segment_id, s.n])).toEqual([
      [751, 20],
      [752, 20],
    ]);
    expect(stored[1]?.request_ids).toEqual(['[withheld: not an identifier]']);
    const [failed] = await h.tdb.query<{ error_api_id: string; error_request_id: string; error_message: string }>(
      `SELECT error_api_id, error_request_id, error_message FROM sync_run_segments WHERE segment_id = 753`,
    );
    expect(failed).toMatchObject({
      error_api_id: '[withheld: not an identifier]',
      error_request_id: '[withheld: not an identifier]',
    });
    expect(failed?.error_message).toContain('Bad\uFFFDRequest');
    expect(failed?.error_message).toContain('no\uFFFDpe');
  });
});
