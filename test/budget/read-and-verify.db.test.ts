import { afterEach, describe, expect, test } from '@jest/globals';
import { expectMatchesSource, goneMemberships } from '../support/source-truth.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

// A run reads each list once; the verified crawl (two identical reads, then closures)
// runs on its own cadence, or when a read shows that something left the list.

const SEGMENT = 751;

describe('runs that cost one read', () => {
  let h: Harness;
  afterEach(async () => h.close());

  async function verifiedBaseline(): Promise<number> {
    h = await startHarness({ segments: [SEGMENT], statuses: [0, 1], ticketsPerList: 45, perPage: 10 });
    const first = await h.run({ concurrency: 1 });
    expect(first.lists.map((l) => [l.verified, l.counts.passes])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    return first.lists[0]!.counts.pages / 2; // pages of one pass
  }

  test('when nothing changed since a verified crawl, then a read costs one pass and writes nothing', async () => {
    const pagesPerPass = await verifiedBaseline();

    const report = await h.run({ mode: 'read', concurrency: 1 });

    expect(report.status).toBe('succeeded');
    for (const list of report.lists) {
      expect(list).toMatchObject({
        outcome: 'succeeded',
        verified: false,
        counts: { passes: 1, pages: pagesPerPass, apiCalls: pagesPerPass, ticketsUnchanged: 45 },
      });
    }
    expect(await goneMemberships(h.tdb)).toEqual([]);
  });

  test('when a ticket left the list between two reads, then the read notices, verifies, and marks only that one gone', async () => {
    await verifiedBaseline();
    const closed = h.sim.list(SEGMENT, 0)[7]!;
    h.sim.moveTicket(SEGMENT, closed.ticketID, 0, 1);

    const report = await h.run({ mode: 'read', concurrency: 1 });

    expect(report.lists[0]).toMatchObject({
      segmentId: SEGMENT,
      status: 0,
      verified: true,
      counts: { passes: 2, ticketsGone: 1 },
    });
    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${closed.ticketID}`]);
    await expectMatchesSource(h.sim, h.tdb, [
      [SEGMENT, 0],
      [SEGMENT, 1],
    ]);
    expect(h.logs.lines().some((l) => l['msg'] === 'the list changed: verifying it' && l['notRead'] === 1)).toBe(true);
  });

  test('when one ticket arrives and another leaves between reads (counts unchanged), then the read still notices', async () => {
    await verifiedBaseline();
    const [left] = h.sim.list(SEGMENT, 0).slice(20, 21);
    h.sim.removeTicket(SEGMENT, 0, left!.ticketID);
    h.sim.upsertTicket(SEGMENT, 0, h.sim.generate(SEGMENT, 0, 46)[0]!, 'front');

    const report = await h.run({ mode: 'read', concurrency: 1 });

    expect(report.lists[0]).toMatchObject({ verified: true, counts: { ticketsInserted: 1, ticketsGone: 1 } });
    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${left!.ticketID}`]);
  });

  test('when the budget has no room to verify, then nothing is marked gone until a verified crawl, which closes it', async () => {
    await verifiedBaseline();
    const closed = h.sim.list(SEGMENT, 0)[3]!;
    h.sim.moveTicket(SEGMENT, closed.ticketID, 0, 1);

    const deferred = await h.run({ mode: 'read', verifyAllowance: 0, concurrency: 1 });

    expect(deferred.lists[0]).toMatchObject({ outcome: 'succeeded', verified: false, counts: { passes: 1, ticketsGone: 0 } });
    expect(await goneMemberships(h.tdb)).toEqual([]); // not closed: but never falsely gone either
    expect(
      h.logs.lines().some((l) => l['msg'] === 'verification deferred: the API call budget has no room for another pass'),
    ).toBe(true);

    await h.run({ mode: 'verify', concurrency: 1 });

    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${closed.ticketID}`]);
    await expectMatchesSource(h.sim, h.tdb, [
      [SEGMENT, 0],
      [SEGMENT, 1],
    ]);
  });
});
