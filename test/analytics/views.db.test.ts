import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertMembership, insertTicket } from '../support/seed.js';

const H = 3_600_000;
/** Fixed data, relative to one "now" so query-time figures are predictable. */
const now = new Date();
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * H);

describe('dashboard views on fixed data', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    await tdb.query(`INSERT INTO detractor_ticket_statuses (status, label, is_open) VALUES (1, 'closed', false)`);
    const tickets: Array<[number, number | null, Date, number, number]> = [
      // ticket, rating, created_at, time limit (h), status
      [1, 0, at(-100), 72, 0], // open, overdue by 28 h
      [2, 6, at(-10), 72, 0], // open, due in 62 h
      [3, null, at(-10), 24, 1], // closed 2 h after creation: in time
      [4, 3, at(-100), 24, 1], // closed 50 h after creation: late
    ];
    for (const [id, rating, createdAt, limitHours, status] of tickets)
      await insertTicket(tdb, { id, rating, createdAt, limitHours, status });
    const memberships: Array<[number, number, number, Date | null]> = [
      [10, 0, 1, null],
      [20, 0, 1, null], // ticket 1 is open in two segments
      [10, 0, 2, null],
      [10, 0, 3, at(-8)],
      [10, 1, 3, null],
      [20, 0, 4, at(-50)],
      [20, 1, 4, null],
    ];
    for (const [segment, status, ticket, goneAt] of memberships)
      await insertMembership(tdb, { segment, status, ticket, since: at(-100), goneAt });
    await tdb.query(
      `INSERT INTO sync_runs (id, trigger, status, started_at, finished_at) VALUES (1, 'cron', 'partial', $1, $2)`,
      [at(-2), at(-1.9)],
    );
    await tdb.query(
      `INSERT INTO sync_runs (id, trigger, status, started_at, finished_at) VALUES (2, 'cron', 'partial', $1, $2)`,
      [at(-1), at(-0.9)],
    );
    const lists: Array<[number, number, number, string, Date, string | null, string | null]> = [
      [1, 10, 0, 'succeeded', at(-1.9), null, null],
      [1, 20, 0, 'failed', at(-1.9), 'API_HTTP_500', 'req-1'],
      [2, 10, 0, 'failed', at(-0.9), 'API_NOT_FOUND', 'req-2'],
      [2, 20, 0, 'skipped', at(-0.9), 'LIST_LOCKED', null], // a replica had it: not an attempt
    ];
    for (const [run, segment, status, outcome, finished, code, requestId] of lists) {
      await tdb.query(
        `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, started_at, finished_at, error_code, error_request_id)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7)`,
        [run, segment, status, outcome, finished, code, requestId],
      );
    }
  });
  afterAll(async () => tdb.close());

  test('when open tickets are listed, then only open lists count, per segment, with due figures at query time', async () => {
    const rows = await tdb.query<{
      segment_id: string;
      ticket_id: string;
      status_label: string;
      hours_until_due: string;
      is_overdue: boolean;
    }>(
      'SELECT segment_id, ticket_id, status_label, hours_until_due, is_overdue FROM v_open_detractor_tickets ORDER BY segment_id, ticket_id',
    );
    expect(rows.map((r) => [Number(r.segment_id), Number(r.ticket_id), r.status_label, r.is_overdue])).toEqual([
      [10, 1, 'open', true],
      [10, 2, 'open', false],
      [20, 1, 'open', true],
    ]);
    expect(Number(rows[0]!.hours_until_due)).toBeCloseTo(-28, 0);
    expect(Number(rows[1]!.hours_until_due)).toBeCloseTo(62, 0);
  });

  test('when days are summarised, then counts, ratings and overdue are per UTC day and segment', async () => {
    const rows = await tdb.query<Record<string, unknown>>(
      `SELECT day::text, segment_id, new_tickets, mean_rating, ratings_missing, rating_0, rating_3, rating_6, still_open, overdue
       FROM v_detractor_tickets_daily ORDER BY day, segment_id`,
    );
    const dayOf = (d: Date) => d.toISOString().slice(0, 10);
    const byKey = new Map(rows.map((r) => [`${String(r['day'])}/${String(r['segment_id'])}`, r]));
    expect(byKey.get(`${dayOf(at(-10))}/10`)).toMatchObject({
      new_tickets: '2',
      mean_rating: '6.00',
      ratings_missing: '1',
      rating_6: '1',
      still_open: '1',
      overdue: '0',
    });
    expect(byKey.get(`${dayOf(at(-100))}/10`)).toMatchObject({
      new_tickets: '1',
      mean_rating: '0.00',
      rating_0: '1',
      still_open: '1',
      overdue: '1',
    });
    expect(byKey.get(`${dayOf(at(-100))}/20`)).toMatchObject({
      new_tickets: '2',
      mean_rating: '1.50',
      rating_0: '1',
      rating_3: '1',
      still_open: '1',
      overdue: '1',
    });
  });

  test('when SLAs are read, then closure time comes from gone_at and is compared with due_at', async () => {
    const rows = await tdb.query<{
      ticket_id: string;
      segment_ids: string[];
      sla_state: string;
      closed_before_due: boolean | null;
      left_open_at: Date | null;
    }>('SELECT ticket_id, segment_ids, sla_state, closed_before_due, left_open_at FROM v_ticket_sla ORDER BY ticket_id');
    expect(rows.map((r) => [Number(r.ticket_id), r.segment_ids.map(Number), r.sla_state, r.closed_before_due])).toEqual([
      [1, [10, 20], 'open_overdue', null],
      [2, [10], 'open', null],
      [3, [10], 'closed_in_time', true],
      [4, [20], 'closed_late', false],
    ]);
    expect(rows[2]!.left_open_at?.getTime()).toBe(at(-8).getTime());
  });

  test('when sync health is read, then each list shows its last success, its age and its last error', async () => {
    const rows = await tdb.query<Record<string, unknown>>(
      `SELECT segment_id, status, last_success_at, last_success_age_seconds, last_outcome, last_error_code, last_error_request_id, tickets_in_list
       FROM v_sync_health ORDER BY segment_id`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      segment_id: '10',
      last_outcome: 'failed',
      last_error_code: 'API_NOT_FOUND',
      last_error_request_id: 'req-2',
      tickets_in_list: '2',
    });
    expect((rows[0]!['last_success_at'] as Date).getTime()).toBe(at(-1.9).getTime());
    expect(Number(rows[0]!['last_success_age_seconds'])).toBeGreaterThanOrEqual(1.9 * 3600 - 1);
    // Segment 20: the replica's skip is not an attempt; its last attempt failed and it never succeeded.
    expect(rows[1]).toMatchObject({
      segment_id: '20',
      last_outcome: 'failed',
      last_success_at: null,
      last_error_code: 'API_HTTP_500',
      tickets_in_list: '1',
    });
  });
});
