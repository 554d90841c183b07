import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { RunReport } from '../../src/sync/run-sync.js';
import { differences, ticketRows } from '../support/expectations.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

describe('a multi-page, multi-segment sync', () => {
  let h: Harness;
  let report: RunReport;
  const segments = [101, 102, 103];
  const statuses = [0, 1];

  // One sync, then each test looks at a different side of its result (independently).
  beforeAll(async () => {
    h = await startHarness({ segments, statuses, ticketsPerList: 37, perPage: 10 });
    report = await h.run();
  });
  afterAll(async () => h.close());

  test('when every list is read, then the database holds every ticket exactly as the API sent it', async () => {
    expect(report.status).toBe('succeeded');
    const rows = await ticketRows(h.tdb);
    const diffs: string[] = [];
    let expected = 0;
    for (const segmentId of segments) {
      for (const status of statuses) {
        for (const ticket of h.sim.list(segmentId, status)) {
          expected += 1;
          diffs.push(...differences(rows.get(ticket.ticketID), ticket, status));
        }
      }
    }
    expect(diffs).toEqual([]);
    expect(rows.size).toBe(expected);
    expect(expected).toBe(segments.length * statuses.length * 37);
  });

  test('when the run is recorded, then every list has its pages, counts and totalItems', async () => {
    const lists = await h.tdb.query<{
      segment_id: string;
      status: number;
      outcome: string;
      pages: number;
      tickets_seen: number;
      tickets_inserted: number;
      total_items: number;
    }>(
      `SELECT segment_id, status, outcome, pages, passes, settled, tickets_seen, tickets_inserted, tickets_unchanged, total_items
       FROM sync_run_segments ORDER BY segment_id, status`,
    );
    expect(lists).toHaveLength(6);
    for (const list of lists) {
      // One pass of 4 pages: consistent, and nothing stored that it did not read (a first sync).
      expect(list).toMatchObject({
        outcome: 'succeeded',
        pages: 4,
        passes: 1,
        settled: true,
        tickets_seen: 37,
        tickets_inserted: 37,
        tickets_unchanged: 0,
        total_items: 37,
      });
    }
    const [run] = await h.tdb.query<{ status: string; tickets_inserted: number; lists_total: number; finished_at: Date | null }>(
      'SELECT status, tickets_inserted, lists_total, finished_at FROM sync_runs',
    );
    expect(run).toMatchObject({ status: 'succeeded', tickets_inserted: 222, lists_total: 6 });
    expect(run?.finished_at).toBeInstanceOf(Date);
  });

  test('when a list is read, then each (segment, status, ticket) membership is stored once', async () => {
    const [row] = await h.tdb.query<{ n: number; distinct_n: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (segment_id, status, ticket_id))::int AS distinct_n FROM detractor_ticket_segments`,
    );
    expect(row).toEqual({ n: 222, distinct_n: 222 });
  });

  test('when the logs are read, then every page has its requestID and the API key never appears', () => {
    const pageLines = h.logs.lines().filter((l) => l['msg'] === 'page stored');
    expect(pageLines).toHaveLength(24);
    for (const line of pageLines) expect(typeof line['requestId']).toBe('string');
    expect(h.logs.text()).not.toContain('test-key-5f1e9c0d');
    const summaries = h.logs.lines().filter((l) => l['msg'] === 'list finished' || l['msg'] === 'run finished');
    expect(summaries).toHaveLength(7);
  });
});
