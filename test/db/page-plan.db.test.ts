import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { upsertPageStatement } from '../../src/db/sql/tickets.js';
import { generateTickets } from '../../src/sim/ticket-generator.js';
import { toTicketRow, type TicketRow } from '../../src/sync/transform.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTickets } from '../support/seed.js';

/** Every plan node, flattened, from EXPLAIN (FORMAT JSON). */
function planNodes(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan['Plans'] as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

const LOADED = 150_000;
const SEGMENT = 5_151;
const BIG_TABLES = ['detractor_tickets', 'detractor_ticket_segments', 'detractor_ticket_versions'];

describe('the page statement on a list just loaded (no statistics yet, as on a first sync)', () => {
  let tdb: TestDatabase;
  let rows: TicketRow[];
  beforeAll(async () => {
    tdb = await createTestDatabase();
    // A list of 150k tickets (one in ten gone from it), each with one version, never analyzed.
    await seedTickets(tdb, { count: LOADED, segment: SEGMENT, open: 'g % 10 <> 0', versions: true });
    // A page: half of it tickets already stored (and changed), half new ones.
    rows = generateTickets(1, 1, 0, 100).map((t, i) => {
      const result = toTicketRow({ ...t, ticketID: i < 50 ? 1_000 + i * 7 : LOADED + 1 + i });
      if (!result.ok) throw new Error(result.reason);
      return result.row;
    });
  });
  afterAll(async () => tdb.close());

  test('when it is planned, then no big table is scanned whole: every lookup is an index probe per ticket of the page', async () => {
    const statement = upsertPageStatement({
      runId: 1n,
      segmentId: SEGMENT,
      status: 0,
      requestId: 'r',
      rows,
      seenAt: new Date(),
      lastSeenResolutionMs: 3_600_000,
    });
    const client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
    try {
      const { rows: plan } = await client.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
        `EXPLAIN (FORMAT JSON) ${statement.text}`,
        statement.values.map((v) => (typeof v === 'bigint' ? v.toString() : v)),
      );
      const nodes = planNodes(plan[0]!['QUERY PLAN'][0]!.Plan);
      const wholeScans = nodes
        .filter(
          (n) =>
            ['Seq Scan', 'Bitmap Heap Scan'].includes(String(n['Node Type'])) && BIG_TABLES.includes(String(n['Relation Name'])),
        )
        .map((n) => `${String(n['Node Type'])} on ${String(n['Relation Name'])}`);
      expect(wholeScans).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
