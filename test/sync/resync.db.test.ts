import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startHarness, type Harness } from '../support/sync-harness.js';

describe('re-syncing', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ segments: [201, 202], ticketsPerList: 30, perPage: 7 });
    const first = await h.run();
    expect(first.status).toBe('succeeded');
  });
  afterAll(async () => h.close());

  /**
   * Each row's xmin: the transaction that last wrote it. Unlike pg_stat counters
   * (flushed asynchronously by other backends) it shows every rewrite at once.
   */
  async function rowVersions(table: string): Promise<Map<string, string>> {
    const rows = await h.tdb.query<{ id: string; xmin: string }>(
      `SELECT ctid::text || ':' || xmin::text AS xmin, ${table === 'detractor_tickets' ? 'ticket_id::text' : "segment_id || '/' || status || '/' || ticket_id"} AS id FROM ${table}`,
    );
    return new Map(rows.map((r) => [r.id, r.xmin]));
  }

  function rewritten(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after].filter(([id, version]) => before.get(id) !== version).map(([id]) => id);
  }

  async function snapshot(): Promise<string> {
    const rows = await h.tdb.query(
      `SELECT t.*, array_agg(m.* ORDER BY m.segment_id) AS memberships
       FROM detractor_tickets t JOIN detractor_ticket_segments m USING (ticket_id)
       GROUP BY t.ticket_id ORDER BY t.ticket_id`,
    );
    return JSON.stringify(rows);
  }

  test('when nothing changed at the source, then a re-sync writes no ticket or membership row', async () => {
    const before = await snapshot();
    const tickets = await rowVersions('detractor_tickets');
    const memberships = await rowVersions('detractor_ticket_segments');

    const report = await h.run();

    expect(report.status).toBe('succeeded');
    expect(report.lists.map((l) => [l.counts.ticketsUnchanged, l.counts.ticketsInserted, l.counts.ticketsUpdated])).toEqual([
      [30, 0, 0],
      [30, 0, 0],
    ]);
    expect(rewritten(tickets, await rowVersions('detractor_tickets'))).toEqual([]);
    expect(rewritten(memberships, await rowVersions('detractor_ticket_segments'))).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  test('when one ticket changed at the source, then only that row is rewritten and its updated_at moves', async () => {
    const [target, ...others] = h.sim.list(201, 0);
    if (!target) throw new Error('simulator list is empty');
    const [{ updated_at: before }] = (await h.tdb.query<{ updated_at: Date }>(
      'SELECT updated_at FROM detractor_tickets WHERE ticket_id = $1',
      [target.ticketID],
    )) as [{ updated_at: Date }];
    h.sim.setList(201, 0, [{ ...target, comment: 'Called back, still unhappy', rating: '2' }, ...others]);
    const tickets = await rowVersions('detractor_tickets');

    const report = await h.run();

    expect(report.lists[0]?.counts).toMatchObject({ ticketsUpdated: 1, ticketsUnchanged: 29, ticketsInserted: 0 });
    expect(rewritten(tickets, await rowVersions('detractor_tickets'))).toEqual([String(target.ticketID)]);
    const [row] = await h.tdb.query<{ comment: string; rating: number; updated_at: Date; raw: { comment: string } }>(
      'SELECT comment, rating, updated_at, raw FROM detractor_tickets WHERE ticket_id = $1',
      [target.ticketID],
    );
    expect(row).toMatchObject({
      comment: 'Called back, still unhappy',
      rating: 2,
      raw: { comment: 'Called back, still unhappy' },
    });
    expect(row!.updated_at.getTime()).toBeGreaterThan(before.getTime());
  });

  test('when a ticket appears in two segments, then it is stored once with two memberships', async () => {
    const shared = h.sim.list(201, 0)[1]!;
    h.sim.setList(202, 0, [shared, ...h.sim.list(202, 0)]);

    await h.run();

    const rows = await h.tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_tickets WHERE ticket_id = $1', [
      shared.ticketID,
    ]);
    expect(rows[0]?.n).toBe(1);
    const memberships = await h.tdb.query<{ segment_id: string }>(
      'SELECT segment_id FROM detractor_ticket_segments WHERE ticket_id = $1 ORDER BY segment_id',
      [shared.ticketID],
    );
    expect(memberships.map((m) => Number(m.segment_id))).toEqual([201, 202]);
  });
});
