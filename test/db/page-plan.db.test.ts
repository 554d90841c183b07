import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { upsertPageStatement } from '../../src/db/ticket-writer.js';
import { generateTickets } from '../../src/sim/ticket-generator.js';
import { toTicketRow, type TicketRow } from '../../src/sync/transform.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

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
    // A list of 150k tickets, each with its membership and one version, never analyzed.
    await tdb.query(`
      INSERT INTO detractor_tickets (ticket_id, response_id, rating, comment, created_at, time_limit_hours, due_at, status,
                                     first_seen_at, last_seen_at, updated_at, raw)
      SELECT g, g, 3, 'c', now(), 72, now() + interval '72 hours', 0, now(), now(), now(), '{}'::jsonb
      FROM generate_series(1, ${LOADED}) AS g`);
    await tdb.query(`
      INSERT INTO detractor_ticket_segments (segment_id, status, ticket_id, first_seen_at, last_seen_at, gone_at)
      SELECT ${SEGMENT}, 0, g, now(), now(), CASE WHEN g % 10 = 0 THEN now() END FROM generate_series(1, ${LOADED}) AS g`);
    await tdb.query(`
      INSERT INTO detractor_ticket_versions (ticket_id, valid_from, response_id, rating, comment, created_at, time_limit_hours, due_at, status)
      SELECT ticket_id, now(), response_id, rating, comment, created_at, time_limit_hours, due_at, status FROM detractor_tickets`);
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
