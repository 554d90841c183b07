import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const TICKETS = 300_000;
const SEGMENTS = 50;

/** Every plan node, flattened, from EXPLAIN (FORMAT JSON). */
function planNodes(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan['Plans'] as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

describe('indexes for dashboards, on a few hundred thousand tickets', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    // Generated in SQL: 300k tickets over 50 segments. Like a real account after a while,
    // most are closed (gone from the open list): one in ten is still open.
    await tdb.query(`
      INSERT INTO detractor_tickets (ticket_id, response_id, rating, comment, created_at, time_limit_hours, due_at, status,
                                     first_seen_at, last_seen_at, updated_at, raw)
      SELECT g, g + 10000000, (g % 7)::smallint, 'generated', ts, 72, ts + interval '72 hours', CASE WHEN g % 10 <> 0 THEN 1 ELSE 0 END,
             ts, ts, ts, '{}'::jsonb
      FROM generate_series(1, ${TICKETS}) AS g, LATERAL (SELECT timestamptz '2024-01-01' + g * interval '1 minute' AS ts) t`);
    await tdb.query(`
      INSERT INTO detractor_ticket_segments (segment_id, status, ticket_id, first_seen_at, last_seen_at, gone_at)
      SELECT g % ${SEGMENTS}, 0, g, now(), now(), CASE WHEN g % 10 <> 0 THEN now() END FROM generate_series(1, ${TICKETS}) AS g`);
    await tdb.query(`
      INSERT INTO detractor_ticket_versions (ticket_id, valid_from, valid_to, response_id, rating, comment, created_at, time_limit_hours, due_at, status)
      SELECT ticket_id, created_at, NULL, response_id, rating, comment, created_at, time_limit_hours, due_at, status FROM detractor_tickets`);
    await tdb.query('ANALYZE');
  });
  afterAll(async () => tdb.close());

  async function explain(sql: string): Promise<Array<Record<string, unknown>>> {
    const [row] = await tdb.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(`EXPLAIN (FORMAT JSON) ${sql}`);
    return planNodes(row!['QUERY PLAN'][0]!.Plan);
  }

  test("when one segment's open tickets are asked for, then no table is scanned sequentially", async () => {
    const nodes = await explain('SELECT * FROM v_open_detractor_tickets WHERE segment_id = 7');
    const seqScans = nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
    // The few-row statuses and segments tables may be scanned; the big tables must not be.
    expect(seqScans.filter((r) => r !== 'detractor_ticket_statuses' && r !== 'detractor_segments')).toEqual([]);
    expect(nodes.some((n) => n['Index Name'] === 'detractor_ticket_segments_pkey')).toBe(true);
  });

  test('when tickets due in the next day are asked for, then the due_at index is used', async () => {
    const nodes = await explain(
      `SELECT ticket_id FROM detractor_tickets WHERE due_at BETWEEN timestamptz '2024-03-01' AND timestamptz '2024-03-02'`,
    );
    expect(nodes.some((n) => n['Index Name'] === 'detractor_tickets_due_at_idx')).toBe(true);
    expect(nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
  });

  test('when a period of created tickets is asked for, then the created_at index is used', async () => {
    const nodes = await explain(
      `SELECT count(*) FROM detractor_tickets WHERE created_at >= timestamptz '2024-05-01' AND created_at < timestamptz '2024-05-02'`,
    );
    expect(nodes.some((n) => n['Index Name'] === 'detractor_tickets_created_at_idx')).toBe(true);
  });

  test("when a ticket's history is asked for, then the (ticket, valid_from) index is used", async () => {
    const nodes = await explain('SELECT * FROM detractor_ticket_versions WHERE ticket_id = 42 ORDER BY valid_from');
    expect(nodes.some((n) => n['Index Name'] === 'detractor_ticket_versions_ticket_id_valid_from_idx')).toBe(true);
  });
});
