import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { applyReportingConfig, type ReportingConfig } from '../../src/db/sql/reporting.js';
import { ConfigError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertMembership, insertTicket } from '../support/seed.js';

const H = 3_600_000;
const now = new Date();
const at = (hoursFromNow: number) => new Date(now.getTime() + hoursFromNow * H);

function reporting(overrides: Partial<ReportingConfig['reporting']> = {}, sync: Partial<ReportingConfig['sync']> = {}) {
  return {
    reporting: { segmentNames: new Map(), statusLabels: new Map(), timezone: 'UTC', ...overrides },
    sync: { segments: [10, 20], statuses: [0, 1], openStatuses: [0], ...sync },
  } satisfies ReportingConfig;
}

/**
 * Names, labels, the per-segment SLA, exact roll-ups and the report time zone, on
 * fixed tickets: created at fixed instants (days and ratings are exact) or relative
 * to now (SLA states are).
 */
describe('analyst model v2 on fixed data', () => {
  let tdb: TestDatabase;
  const ticket = (id: number, rating: number | null, createdAt: Date, limitHours: number, status: number) =>
    insertTicket(tdb, { id, rating, createdAt, limitHours, status });
  const member = (segment: number, status: number, ticket: number, goneAt: Date | null) =>
    insertMembership(tdb, { segment, status, ticket, since: at(-200), goneAt });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // SLA tickets, relative to now.
    await ticket(1, 2, at(-10), 72, 0); // open in 10; closed in 20 after 5 h: in time there
    await member(10, 0, 1, null);
    await member(20, 0, 1, at(-5));
    await member(20, 1, 1, null);
    await ticket(2, 5, at(-300), 24, 1); // only ever seen closed: when it closed is unknown
    await member(10, 1, 2, null);
    // Days and ratings, at fixed instants: 23:30 UTC is the next day in Berlin (UTC+1 in March).
    await ticket(3, 0, new Date('2026-03-10T23:30:00Z'), 24, 0);
    await ticket(4, 3, new Date('2026-03-10T10:00:00Z'), 24, 0);
    await ticket(5, 4, new Date('2026-03-11T10:00:00Z'), 24, 0);
    await ticket(6, null, new Date('2026-03-11T11:00:00Z'), 24, 0);
    await ticket(7, 6, new Date('2026-03-11T12:00:00Z'), 24, 0);
    await ticket(8, 5, new Date('2026-03-11T13:00:00Z'), 24, 0);
    for (const id of [3, 4, 5, 6, 7, 8]) await member(10, 0, id, null);
    await tdb.query(
      `INSERT INTO sync_runs (id, trigger, status, started_at, finished_at) VALUES (1, 'cron', 'succeeded', $1, $1)`,
      [at(-1)],
    );
    for (const [segment, status] of [
      [10, 0],
      [20, 1],
    ])
      await tdb.query(
        `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, started_at, finished_at) VALUES (1, $1, $2, 'succeeded', $3, $3)`,
        [segment, status, at(-1)],
      );
  });
  afterAll(async () => tdb.close());

  test('when segments are named in the configuration, then every view shows the name, unnamed ones "Segment <id>"', async () => {
    await applyReportingConfig(tdb.db, reporting({ segmentNames: new Map([[10, 'Retail EU']]) }));
    const names = async (sql: string) => (await tdb.query<{ n: string }>(sql)).map((r) => r.n);
    expect(await names('SELECT DISTINCT segment_name AS n FROM v_open_detractor_tickets ORDER BY 1')).toEqual(['Retail EU']);
    expect(await names('SELECT DISTINCT segment_name AS n FROM v_open_detractor_tickets_no_pii ORDER BY 1')).toEqual([
      'Retail EU',
    ]);
    expect(await names('SELECT DISTINCT segment_name AS n FROM v_detractor_tickets_daily ORDER BY 1')).toEqual([
      'Retail EU',
      'Segment 20',
    ]);
    expect(await names('SELECT segment_name AS n FROM v_sync_health ORDER BY segment_id')).toEqual(['Retail EU', 'Segment 20']);
    expect(await names('SELECT DISTINCT segment_name AS n FROM v_ticket_sla_by_segment ORDER BY 1')).toEqual([
      'Retail EU',
      'Segment 20',
    ]);
  });

  test('when a name is removed from the configuration, then it stays; when changed, then it changes', async () => {
    await applyReportingConfig(tdb.db, reporting({ segmentNames: new Map([[20, 'Online Shop']]) }));
    const rows = await tdb.query<{ segment_id: string; name: string | null }>(
      'SELECT segment_id, name FROM detractor_segments ORDER BY 1',
    );
    expect(rows.map((r) => [Number(r.segment_id), r.name])).toEqual([
      [10, 'Retail EU'],
      [20, 'Online Shop'],
    ]);
    await applyReportingConfig(tdb.db, reporting({ segmentNames: new Map([[10, 'Retail Europe']]) }));
    const [renamed] = await tdb.query<{ name: string }>('SELECT name FROM detractor_segments WHERE segment_id = 10');
    expect(renamed!.name).toBe('Retail Europe');
  });

  test('when statuses are synced, then each gets a label: configured, else the documented default, else "status N"', async () => {
    await applyReportingConfig(tdb.db, reporting({ statusLabels: new Map([[1, 'closed']]) }, { statuses: [0, 1, 2] }));
    const rows = await tdb.query<{ status: number; label: string; is_open: boolean }>(
      'SELECT status, label, is_open FROM detractor_ticket_statuses ORDER BY status',
    );
    expect(rows.map((r) => [r.status, r.label, r.is_open])).toEqual([
      [0, 'open', true],
      [1, 'closed', false],
      [2, 'status 2', false],
    ]);
    // A label set in SQL stays until the configuration names the status; SYNC_OPEN_STATUSES decides is_open.
    await tdb.query(`UPDATE detractor_ticket_statuses SET label = 'escalated' WHERE status = 2`);
    await applyReportingConfig(tdb.db, reporting({}, { statuses: [0, 1, 2], openStatuses: [0, 2] }));
    const after = await tdb.query<{ status: number; label: string; is_open: boolean }>(
      'SELECT status, label, is_open FROM detractor_ticket_statuses WHERE status IN (1, 2) ORDER BY status',
    );
    expect(after.map((r) => [r.status, r.label, r.is_open])).toEqual([
      [1, 'closed', false],
      [2, 'escalated', true],
    ]);
    await applyReportingConfig(tdb.db, reporting({ statusLabels: new Map([[1, 'closed']]) }, { statuses: [0, 1, 2] }));
  });

  test('when SLAs are read, then tickets of every synced status appear, with their label', async () => {
    const rows = await tdb.query<{ ticket_id: string; status_label: string; sla_state: string; hours_open: string | null }>(
      'SELECT ticket_id, status_label, sla_state, hours_open FROM v_ticket_sla WHERE ticket_id IN (1, 2) ORDER BY 1',
    );
    expect(rows.map((r) => [Number(r.ticket_id), r.status_label, r.sla_state])).toEqual([
      [1, 'open', 'open'],
      [2, 'closed', 'closed_unknown'],
    ]);
    expect(rows[1]!.hours_open).toBeNull();
  });

  test('when SLAs are read per segment, then each segment has its own state and no column is an array', async () => {
    const rows = await tdb.query<{ segment_id: string; sla_state: string; left_open_at: Date | null; hours_open: string }>(
      'SELECT segment_id, sla_state, left_open_at, hours_open FROM v_ticket_sla_by_segment WHERE ticket_id = 1 ORDER BY 1',
    );
    expect(rows.map((r) => [Number(r.segment_id), r.sla_state])).toEqual([
      [10, 'open'],
      [20, 'closed_in_time'],
    ]);
    expect(rows[1]!.left_open_at?.getTime()).toBe(at(-5).getTime());
    expect(Number(rows[1]!.hours_open)).toBeCloseTo(5, 1);
    const arrays = await tdb.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'v_ticket_sla_by_segment' AND data_type = 'ARRAY'`,
    );
    expect(arrays).toEqual([]);
  });

  test('when days are rolled up with the sums, then the mean is exact where averaging mean_rating is not', async () => {
    const [row] = await tdb.query<{ exact: string; naive: string; direct: string }>(
      `SELECT round(sum(rating_sum)::numeric / sum(rated_tickets), 4) AS exact,
              round(avg(mean_rating), 4) AS naive,
              (SELECT round(avg(rating), 4) FROM detractor_tickets WHERE ticket_id BETWEEN 3 AND 8) AS direct
       FROM v_detractor_tickets_daily WHERE day BETWEEN '2026-03-10' AND '2026-03-11' AND segment_id = 10`,
    );
    // Ratings 0, 3 on the 10th and 4, -, 6, 5 on the 11th: 18 / 5 = 3.6; the mean of the daily means (1.5, 5) is 3.25.
    expect(row).toEqual({ exact: '3.6000', naive: '3.2500', direct: '3.6000' });
  });

  test('when the report time zone changes, then days are counted in it and named in the view', async () => {
    const days = async () =>
      (
        await tdb.query<{ day: string; timezone: string; new_tickets: string }>(
          `SELECT day::text, timezone, new_tickets FROM v_detractor_tickets_daily
           WHERE day BETWEEN '2026-03-10' AND '2026-03-12' AND segment_id = 10 ORDER BY day`,
        )
      ).map((r) => [r.day, r.timezone, Number(r.new_tickets)]);
    expect(await days()).toEqual([
      ['2026-03-10', 'UTC', 2],
      ['2026-03-11', 'UTC', 4],
    ]);
    await applyReportingConfig(tdb.db, reporting({ timezone: 'Europe/Berlin' }));
    expect(await days()).toEqual([
      ['2026-03-10', 'Europe/Berlin', 1],
      ['2026-03-11', 'Europe/Berlin', 5],
    ]);
    await applyReportingConfig(tdb.db, reporting({ timezone: 'UTC' }));
  });

  test('when the report time zone is unknown to PostgreSQL, then start fails naming REPORT_TIMEZONE and nothing changes', async () => {
    const error = await applyReportingConfig(tdb.db, reporting({ timezone: 'Mars/Olympus' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]?.variable).toBe('REPORT_TIMEZONE');
    const [row] = await tdb.query<{ report_timezone: string }>('SELECT report_timezone FROM reporting_settings');
    expect(row!.report_timezone).toBe('UTC');
  });

  test('when the PII-free open view is read, then it has the open tickets without contact data or comment text', async () => {
    const rows = await tdb.query<Record<string, unknown>>('SELECT * FROM v_open_detractor_tickets_no_pii WHERE ticket_id = 1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ has_comment: true, status_label: 'open' });
    expect(Object.keys(rows[0]!)).not.toEqual(expect.arrayContaining(['email_address']));
    expect(Object.keys(rows[0]!).filter((k) => ['email_address', 'phone_number', 'comment', 'raw'].includes(k))).toEqual([]);
  });
});
