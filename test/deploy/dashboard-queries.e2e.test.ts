import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { readonlyRoleSql } from '../../src/db/sql/roles.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { formatVendorTimestamp } from '../../src/sim/ticket-generator.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { connectAs, dropRole, uniqueRoleName } from '../support/roles.js';
import {
  PERSONAL_COLUMNS,
  expandSql,
  grafanaTime,
  promqlMetricNames,
  queriesOf,
  readDashboard,
} from '../support/grafana-dashboards.js';
import { startHarness, type Harness } from '../support/sync-harness.js';
import { startWorker, type WorkerUnderTest } from '../support/worker-under-test.js';

// The dashboards' queries run for real: the SQL panels against a synced database, as the
// read-only role Grafana logs in with; the PromQL panels' metric names against what a
// running worker's /metrics declares.

const views = readDashboard('detractor-views.json');
const worker = readDashboard('detractor-sync-worker.json');
const sqlPanels = queriesOf(views).filter((q) => q.target.rawSql !== undefined);
const SEGMENTS = [611, 612];

describe('the detractor views dashboard on a synced database (as the read-only role without personal data)', () => {
  let h: Harness;
  let reader: pg.Client;
  const role = uniqueRoleName('grafana');
  const password = 'grafana-reader-password';

  beforeAll(async () => {
    h = await startHarness({ segments: SEGMENTS, ticketsPerList: 24, perPage: 10 });
    expect((await h.run()).status).toBe('succeeded');
    // Closed in QuestionPro: three tickets leave the open list of 611. And one new ticket,
    // created an hour ago and due in two days, so every SLA state and today's figures exist.
    for (const ticket of h.sim.list(611, 0).slice(0, 3)) h.sim.removeTicket(611, 0, ticket.ticketID);
    const [newest] = h.sim.generate(611, 0, 25);
    h.sim.upsertTicket(611, 0, { ...newest!, timestamp: formatVendorTimestamp(Date.now() - 3_600_000, 0), timelimit: 48 });
    expect((await h.run()).status).toBe('succeeded');

    const [db] = await h.tdb.query<{ name: string; owner: string }>('SELECT current_database() AS name, current_user AS owner');
    // The dashboard needs no personal data: it works for a role made with --no-pii.
    await h.tdb.query(readonlyRoleSql({ role, password, database: db!.name, owner: db!.owner, schema: 'public', noPii: true }));
    reader = await connectAs(h.tdb.url, role, password);
  });
  afterAll(async () => {
    await reader?.end();
    await h?.close();
    await dropRole(role);
  });

  /** The segment variable's options (shown text, value), from its own query, as the role reads them. */
  async function segmentOptions(): Promise<Array<{ text: string; value: string }>> {
    const variable = views.templating.list.find((v) => v.name === 'segment');
    const { rows } = await reader.query<{ __text: string; __value: string }>(variable?.query ?? '');
    return rows.map((row) => ({ text: row.__text, value: String(row.__value) }));
  }
  const segmentValues = async () => (await segmentOptions()).map((o) => o.value);

  test('when the data is arranged, then it holds open, overdue and closed tickets', async () => {
    const rows = await h.tdb.query<{ sla_state: string }>('SELECT DISTINCT sla_state FROM v_ticket_sla ORDER BY 1');
    expect(rows.map((r) => r.sla_state)).toEqual(['closed_late', 'open', 'open_overdue']);
  });

  test('when the segment variable is loaded, then it lists the synced segments by name, their IDs the values', async () => {
    await h.tdb.query(
      `INSERT INTO detractor_segments (segment_id, name) VALUES (611, 'Retail EU')
       ON CONFLICT (segment_id) DO UPDATE SET name = EXCLUDED.name`,
    );
    try {
      expect(await segmentOptions()).toEqual([
        { text: 'Retail EU (611)', value: '611' },
        // A default name holds its ID already.
        { text: 'Segment 612', value: '612' },
      ]);
    } finally {
      await h.tdb.query(`UPDATE detractor_segments SET name = NULL WHERE segment_id = 611`);
    }
  });

  // Two time ranges: the dashboard's default (what a user sees first: only the new
  // ticket was created in it) and one holding every ticket (the generated ones date from 2024).
  const ranges = [
    ['the default time range', () => ({ from: grafanaTime(views.time.from), to: grafanaTime(views.time.to) })],
    ['a range holding every ticket', () => ({ from: new Date(Date.UTC(2020, 0, 1)), to: new Date() })],
  ] as const;

  describe.each(ranges)('over %s', (_, range) => {
    test.each(sqlPanels.map((q) => [q.name, q] as const))(
      'when panel "%s" runs, then it returns rows in the shape its format needs, without personal data',
      async (_name, { panel, target }) => {
        const sql = expandSql(target.rawSql ?? '', range(), { segment: await segmentValues() });
        const result = await reader.query<Record<string, unknown>>(sql);
        const fields = result.fields.map((f) => f.name);

        expect(result.rows.length).toBeGreaterThan(0);
        expect(fields.filter((f) => (PERSONAL_COLUMNS as readonly string[]).includes(f))).toEqual([]);
        if (target.format === 'time_series') {
          // Grafana's SQL data sources need a `time` column; `metric` names the series.
          expect(fields).toContain('time');
          expect(result.rows.every((row) => row['time'] instanceof Date)).toBe(true);
        }
        if (panel.options?.xField !== undefined) expect(fields).toContain(panel.options.xField);
      },
    );
  });
  test('when the report time zone is not UTC, then the weekly SLA panel groups a ticket in its week there', async () => {
    // Sunday 2026-11-29 13:00 UTC is Monday 02:00 in Auckland (UTC+13 in November): a
    // week later there than in UTC.
    const created = Date.UTC(2026, 10, 29, 13, 0, 0);
    const [ticket] = h.sim.generate(612, 0, 30).slice(-1);
    h.sim.upsertTicket(612, 0, { ...ticket!, timestamp: formatVendorTimestamp(created, 0), timelimit: 48 });
    expect((await h.run()).status).toBe('succeeded');
    const weekly = sqlPanels.find((q) => q.panel.title === 'SLA states per week of creation')!;
    const range = { from: new Date(Date.UTC(2026, 10, 29, 12)), to: new Date(Date.UTC(2026, 10, 29, 14)) };
    const weeks = async () => {
      const sql = expandSql(weekly.target.rawSql ?? '', range, { segment: ['612'] });
      return (await reader.query<{ time: Date }>(sql)).rows.map((r) => r.time.toISOString());
    };

    await h.tdb.query(`UPDATE reporting_settings SET report_timezone = 'Pacific/Auckland' WHERE id = 1`);
    try {
      expect(await weeks()).toEqual(['2026-11-29T11:00:00.000Z']); // Monday 00:00 in Auckland
      await h.tdb.query(`UPDATE reporting_settings SET report_timezone = 'UTC' WHERE id = 1`);
      expect(await weeks()).toEqual(['2026-11-23T00:00:00.000Z']); // Monday 00:00 UTC
    } finally {
      await h.tdb.query(`UPDATE reporting_settings SET report_timezone = 'UTC' WHERE id = 1`);
    }
  });
});

describe('the worker dashboard against a real worker (child process, scraped over HTTP)', () => {
  const KEY = 'grafana-key-5e2a-must-not-leak';
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let cli: WorkerUnderTest | undefined;
  let exposed: Set<string>;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 961, status: 0, count: 15 }] });
    tdb = await createTestDatabase();
    cli = await startWorker({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: [961],
      env: { API_CALL_BUDGET: '10000' },
    });
    await cli.waitForLine((l) => l['msg'] === 'run finished');
    const text = await (await fetch(`${cli.url}/metrics`)).text();
    // Every metric /metrics declares (# HELP), samples or not; a histogram's series too.
    const declared = [...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]!);
    const histograms = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!);
    exposed = new Set([...declared, ...histograms.flatMap((n) => ['_bucket', '_sum', '_count'].map((suffix) => n + suffix))]);
  });
  afterAll(async () => {
    await cli?.stop();
    await tdb?.close();
    await sim?.close();
  });

  test('when the dashboard queries a metric, then the worker declares it (or Prometheus makes it: up)', () => {
    const used = [...new Set(queriesOf(worker).flatMap((q) => promqlMetricNames(q.target.expr ?? '')))];
    expect(used.length).toBeGreaterThanOrEqual(15);
    // Prometheus writes `up` itself for every scrape target.
    expect(used.filter((name) => name !== 'up' && !exposed.has(name))).toEqual([]);
    expect(used).toEqual(
      expect.arrayContaining([
        'detractor_sync_runs_total',
        'detractor_sync_run_duration_seconds_bucket',
        'detractor_sync_lists_total',
        'detractor_sync_tickets_total',
        'detractor_sync_last_success_timestamp_seconds',
        'detractor_sync_api_requests_total',
        'detractor_sync_api_retries_total',
        'detractor_sync_api_calls_period',
        'detractor_sync_api_budget_remaining_calls',
        'detractor_sync_api_budget_projected_calls',
        'detractor_sync_budget_deferrals_total',
      ]),
    );
  });
});
