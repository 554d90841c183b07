import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startHarness, type Harness } from '../support/sync-harness.js';

interface VersionRow {
  ticket_id: string;
  valid_from: Date;
  valid_to: Date | null;
  run_id: string;
  status: number;
  rating: number | null;
  comment: string;
}

describe('ticket history', () => {
  let h: Harness;
  let target: number;
  beforeAll(async () => {
    h = await startHarness({ segments: [931], statuses: [0, 1], ticketsPerList: 15, perPage: 10 });
    target = h.sim.list(931, 0)[4]!.ticketID;
  });
  afterAll(async () => h.close());

  async function versionsOf(ticketId: number): Promise<VersionRow[]> {
    return h.tdb.query<VersionRow & Record<string, unknown>>(
      'SELECT ticket_id, valid_from, valid_to, run_id, status, rating, comment FROM detractor_ticket_versions WHERE ticket_id = $1 ORDER BY valid_from',
      [ticketId],
    );
  }

  test('when tickets are first stored, then each has exactly one current version', async () => {
    await h.run();
    const [counts] = await h.tdb.query<{ tickets: number; versions: number; current: number }>(
      `SELECT (SELECT count(*) FROM detractor_tickets)::int AS tickets,
              (SELECT count(*) FROM detractor_ticket_versions)::int AS versions,
              (SELECT count(*) FROM detractor_ticket_versions WHERE valid_to IS NULL)::int AS current`,
    );
    expect(counts).toEqual({ tickets: 30, versions: 30, current: 30 });
  });

  test('when nothing changes, then a re-sync adds no version', async () => {
    await h.run();
    const [row] = await h.tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_ticket_versions');
    expect(row?.n).toBe(30);
  });

  test('when a ticket is edited and later closed, then each change is a version and the chain has no gaps', async () => {
    const original = h.sim.list(931, 0).find((t) => t.ticketID === target)!;
    h.sim.upsertTicket(931, 0, { ...original, comment: 'Manager called back', rating: '5' });
    const edit = await h.run();
    h.sim.moveTicket(931, target, 0, 1);
    const close = await h.run();

    const versions = await versionsOf(target);
    expect(versions.map((v) => [v.status, v.rating, v.comment])).toEqual([
      [0, Number(original.rating) || null, original.comment],
      [0, 5, 'Manager called back'],
      [1, 5, 'Manager called back'],
    ]);
    expect(versions.map((v) => v.run_id)).toEqual(['1', String(edit.runId), String(close.runId)]);
    for (let i = 1; i < versions.length; i++)
      expect(versions[i - 1]!.valid_to?.getTime()).toBe(versions[i]!.valid_from.getTime());
    expect(versions.at(-1)!.valid_to).toBeNull();
  });

  test('when asked "what did it look like at time T", then exactly the version valid at T answers', async () => {
    const versions = await versionsOf(target);
    const middle = versions[1]!;
    const t = new Date(
      middle.valid_from.getTime() + 0.5 * ((middle.valid_to?.getTime() ?? Date.now()) - middle.valid_from.getTime()),
    );
    const rows = await h.tdb.query<{ comment: string; status: number }>(
      `SELECT comment, status FROM detractor_ticket_versions
       WHERE ticket_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
      [target, t],
    );
    expect(rows).toEqual([{ comment: 'Manager called back', status: 0 }]);
  });
});
