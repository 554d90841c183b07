import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { closeMissingMemberships, closureSteps, type Closure } from '../../src/db/sql/memberships.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTickets } from '../support/seed.js';

/** Every plan node, flattened, from EXPLAIN (FORMAT JSON). */
function planNodes(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan['Plans'] as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

/**
 * A nested loop is linear only when its inner side is an index probe: anything else
 * (a function scan over the array, a materialized or sequential scan) is rescanned for
 * every outer row, which is what made closures quadratic on PostgreSQL 15.
 */
function quadraticLoops(nodes: Array<Record<string, unknown>>): string[] {
  return nodes
    .filter((n) => n['Node Type'] === 'Nested Loop')
    .flatMap((n) => {
      const inner = ((n['Plans'] as Array<Record<string, unknown>>) ?? []).find((c) => c['Parent Relationship'] === 'Inner');
      const innerNodes = inner ? planNodes(inner) : [];
      const probes = innerNodes.some((c) => /Index/.test(String(c['Node Type'])));
      return probes ? [] : [`Nested Loop over ${innerNodes.map((c) => c['Node Type']).join(' > ')}`];
    });
}

const MEMBERSHIPS = 20_000;
const SEGMENT = 5_150;

describe('closures on a list just loaded (no statistics yet, as on a first sync)', () => {
  let tdb: TestDatabase;
  let closure: Closure;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    // Loaded and never analyzed: the planner knows nothing of the memberships' size.
    await seedTickets(tdb, { count: MEMBERSHIPS, segment: SEGMENT });
    // Every ticket but the last 10 is still in the list.
    const present = Float64Array.from({ length: MEMBERSHIPS - 10 }, (_, i) => i + 1);
    closure = { segmentId: SEGMENT, status: 0, presentIds: present, goneAt: new Date(), runId: 1n };
  });
  afterAll(async () => tdb.close());

  test('when the closure statement is planned, then no nested loop rescans a non-index input (linear or n log n)', async () => {
    const client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      const { prepare, close } = closureSteps(closure);
      for (const step of prepare) await client.query(step.text, step.values);
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
        `EXPLAIN (FORMAT JSON) ${close.text}`,
        close.values.map((v) => (typeof v === 'bigint' ? v.toString() : v)),
      );
      const nodes = planNodes(rows[0]!['QUERY PLAN'][0]!.Plan);
      expect(quadraticLoops(nodes)).toEqual([]);
      // The present IDs are read through the temporary table, never as a rescanned array.
      expect(nodes.some((n) => n['Node Type'] === 'Function Scan')).toBe(false);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });

  test('when the closure runs, then exactly the memberships the crawl did not read are marked gone', async () => {
    const closed = await closeMissingMemberships(tdb.db, closure);
    expect(closed).toBe(10);
    const gone = await tdb.query<{ ticket_id: string }>(
      `SELECT ticket_id FROM detractor_ticket_segments WHERE gone_at IS NOT NULL ORDER BY ticket_id`,
    );
    expect(gone.map((g) => Number(g.ticket_id))).toEqual(Array.from({ length: 10 }, (_, i) => MEMBERSHIPS - 9 + i));
  });
});

describe('closures of very long lists', () => {
  test('when a million tickets are present, then their IDs go to the database in batches, not one literal', () => {
    const presentIds = Float64Array.from({ length: 1_000_000 }, (_, i) => i + 1);
    const { prepare } = closureSteps({ segmentId: 1, status: 0, presentIds, goneAt: new Date(), runId: 1n });
    const fills = prepare.filter((step) => step.text.startsWith('INSERT INTO closure_present'));
    expect(fills).toHaveLength(10);
    expect(Math.max(...fills.map((f) => String(f.values[0]).length))).toBeLessThan(1_500_000);
  });
});
