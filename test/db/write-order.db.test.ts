import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writePage } from '../../src/db/sql/tickets.js';
import { generateTickets } from '../../src/sim/ticket-generator.js';
import { toTicketRow, type TicketRow } from '../../src/sync/transform.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// Pages and lists are written as they arrive, concurrently: a page fetched earlier can
// be written later. Each write carries the time its answer arrived, and the newer
// information wins, whatever the order of the writes.

function rowOf(comment: string): TicketRow {
  const [ticket] = generateTickets(1, 9_100, 0, 1);
  const result = toTicketRow({ ...ticket!, comment });
  if (!result.ok) throw new Error(result.reason);
  return result.row;
}

describe('writes that arrive out of order', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  // A run writes a ticket's history once (its last change in the run wins), so the
  // first write is an earlier run's and the out-of-order pair belongs to the next run.
  const write = (status: number, comment: string, seenAt: Date, runId = 2n) =>
    writePage(tdb.db, {
      runId,
      segmentId: 9_100,
      status,
      requestId: `r-${status}`,
      rows: [rowOf(comment)],
      seenAt,
      lastSeenResolutionMs: 3_600_000,
    });

  test('when a page fetched earlier is written after a newer one, then it does not bring back the older status or text', async () => {
    const earlier = new Date('2026-11-28T10:00:00Z');
    const later = new Date('2026-11-28T10:00:05Z');
    await write(0, 'first text', new Date('2026-11-28T09:00:00Z'), 1n);

    // The closed list's page (fetched later: status 1, edited text) is written first ...
    expect(await write(1, 'edited text', later)).toMatchObject({ updated: 1 });
    // ... then the open list's page, fetched before the ticket moved, arrives.
    expect(await write(0, 'first text', earlier)).toMatchObject({ updated: 0, unchanged: 1 });

    const [ticket] = await tdb.query<{ status: number; comment: string; updated_at: Date }>(
      'SELECT status, comment, updated_at FROM detractor_tickets',
    );
    expect(ticket).toMatchObject({ status: 1, comment: 'edited text', updated_at: later });
    const versions = await tdb.query<{ status: number; valid_from: Date; valid_to: Date | null }>(
      'SELECT status, valid_from, valid_to FROM detractor_ticket_versions ORDER BY valid_from',
    );
    expect(versions.map((v) => [v.status, v.valid_from.toISOString(), v.valid_to?.toISOString() ?? null])).toEqual([
      [0, '2026-11-28T09:00:00.000Z', later.toISOString()],
      [1, later.toISOString(), null],
    ]);
  });

  test('when a page fetched later than the stored version is written, then its change is stored', async () => {
    expect(await write(0, 'reopened', new Date('2026-11-28T10:00:09Z'))).toMatchObject({ updated: 1 });
    const [ticket] = await tdb.query<{ status: number; comment: string }>('SELECT status, comment FROM detractor_tickets');
    expect(ticket).toEqual({ status: 0, comment: 'reopened' });
  });
});
