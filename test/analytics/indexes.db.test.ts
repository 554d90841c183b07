import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTickets } from '../support/seed.js';

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
    // 300k tickets over 50 segments, a minute apart from 2024. Like a real account after a
    // while, most are closed (gone from the open list): one in ten is still open.
    await seedTickets(tdb, {
      count: TICKETS,
      segment: `g % ${SEGMENTS}`,
      open: 'g % 10 = 0',
      createdAt: "timestamptz '2024-01-01' + g * interval '1 minute'",
      versions: true,
    });
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
