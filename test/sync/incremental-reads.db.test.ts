import { afterEach, describe, expect, test } from '@jest/globals';
import { planRun } from '../../src/budget/planner.js';
import { readListStates } from '../../src/db/sql/list-state.js';
import type { ListMode } from '../../src/budget/planner.js';
import type { SimTicket } from '../../src/sim/ticket-generator.js';
import { expectMatchesSource, goneMemberships } from '../support/source-truth.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

// What a run costs, counted where the customer pays for it: at the server. Each test
// syncs a list as the service does (a first full read, then probes), changes the
// simulator's list in one way, and counts the calls the next run made.

const SEGMENT = 751;

/** Calls the simulator answered since `from` (an index into sim.requests). */
const callsSince = (h: Harness, from: number) => h.sim.requests.length - from;

/** The first sync, as a full read: the list is stored, verified, and its order learnt. */
async function firstSync(h: Harness): Promise<void> {
  const report = await h.run({ concurrency: 1 });
  for (const list of report.lists) expect(list).toMatchObject({ outcome: 'succeeded', verified: true, counts: { passes: 1 } });
}

const probe = (h: Harness, mode: ListMode = 'probe') => h.run({ mode, concurrency: 1 });
/** `count` tickets newer (higher ticketIDs) than any in the list: the generator's next slots. */
const newer = (h: Harness, count: number): SimTicket[] => {
  const slotsUsed = Math.max(...h.sim.list(SEGMENT, 0).map((t) => t.ticketID)) - SEGMENT * 1e9;
  return h.sim.generate(SEGMENT, 0, slotsUsed + count).slice(0, count);
};

describe('incremental reads, calls counted at the server', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when a list that holds still is synced for the first time, then one read of its pages stores it, verified', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 45, perPage: 10 });

    const report = await h.run();

    expect(h.sim.requests).toHaveLength(5);
    expect(report.lists[0]).toMatchObject({ verified: true, counts: { passes: 1, pages: 5, apiCalls: 5, ticketsInserted: 45 } });
    const [state] = await readListStates(h.tdb.db);
    expect(state).toMatchObject({ servedOrder: 'newest_first', servedPerPage: 10, needsFullRead: false });
  });

  test.each([45, 450])(
    'when nothing changed in a list of %i, then the probe costs one call and writes nothing',
    async (tickets) => {
      h = await startHarness({ segments: [SEGMENT], ticketsPerList: tickets, perPage: 10 });
      await firstSync(h);
      const from = h.sim.requests.length;

      const report = await probe(h);

      expect(callsSince(h, from)).toBe(1);
      expect(report.lists[0]).toMatchObject({
        outcome: 'succeeded',
        counts: { apiCalls: 1, ticketsInserted: 0, ticketsUpdated: 0, ticketsGone: 0 },
      });
    },
  );

  test.each([
    [3, 1],
    [10, 2],
    [25, 3],
  ])(
    'when %i new tickets arrive at the head, then the probe stores them in %i call(s) (1 + ⌈k / page size⌉ at most)',
    async (k, calls) => {
      h = await startHarness({ segments: [SEGMENT], ticketsPerList: 200, perPage: 10 });
      await firstSync(h);
      for (const ticket of newer(h, k).reverse()) h.sim.upsertTicket(SEGMENT, 0, ticket, 'front');
      const from = h.sim.requests.length;

      const report = await probe(h);

      expect(callsSince(h, from)).toBe(calls);
      expect(calls).toBeLessThanOrEqual(1 + Math.ceil(k / 10));
      expect(report.lists[0]?.counts.ticketsInserted).toBe(k);
      await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
    },
  );

  test.each([0, 3, 9, 10, 257, 490, 499])(
    'when the ticket at position %i of a 50-page list leaves, then the probe records it gone in that run, in ⌈log2 50⌉ + 2 calls at most',
    async (position) => {
      h = await startHarness({ segments: [SEGMENT], statuses: [0, 1], ticketsPerList: 500, perPage: 10 });
      await firstSync(h);
      const closed = h.sim.list(SEGMENT, 0)[position]!;
      h.sim.moveTicket(SEGMENT, closed.ticketID, 0, 1);
      const from = h.sim.requests.length;

      const report = await h.run({ lists: [{ segmentId: SEGMENT, status: 0, perPage: 10, mode: 'probe' }], concurrency: 1 });

      expect(callsSince(h, from)).toBeLessThanOrEqual(Math.ceil(Math.log2(50)) + 2);
      expect(report.lists[0]).toMatchObject({ outcome: 'succeeded', counts: { ticketsGone: 1 } });
      expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${closed.ticketID}`]);
      await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
    },
  );

  test('when one ticket arrives and another leaves (counts unchanged), then the probe finds both', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 500, perPage: 10 });
    await firstSync(h);
    const left = h.sim.list(SEGMENT, 0)[321]!;
    h.sim.removeTicket(SEGMENT, 0, left.ticketID);
    h.sim.upsertTicket(SEGMENT, 0, newer(h, 1)[0]!, 'front');
    const from = h.sim.requests.length;

    const report = await probe(h);

    expect(callsSince(h, from)).toBeLessThanOrEqual(Math.ceil(Math.log2(50)) + 2);
    expect(report.lists[0]).toMatchObject({ counts: { ticketsInserted: 1, ticketsGone: 1 } });
    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${left.ticketID}`]);
    await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
  });

  test('when a ticket appears below the head (an older one), then the probe cannot explain it and reads the list fully in that run', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 100, perPage: 10 });
    await firstSync(h);
    const list = h.sim.list(SEGMENT, 0);
    const older = h.sim.generate(SEGMENT - 1, 0, 1)[0]!; // a lower ticketID than any of the list's
    h.sim.setList(SEGMENT, 0, [...list.slice(0, 50), older, ...list.slice(50)]);
    const from = h.sim.requests.length;

    const report = await probe(h);

    expect(callsSince(h, from)).toBe(1 + 11); // the probe's page 1, then a full read of 11 pages
    expect(report.lists[0]).toMatchObject({ outcome: 'succeeded', verified: true, counts: { ticketsInserted: 1 } });
    await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
    const [state] = await readListStates(h.tdb.db);
    expect(state?.servedOrder).toBe('other'); // from now on, full reads
  });

  test('when full reads are asked for, then a ticket that left is noticed, verified by a second read, and only it is marked gone', async () => {
    h = await startHarness({ segments: [SEGMENT], statuses: [0, 1], ticketsPerList: 45, perPage: 10 });
    await firstSync(h);
    const closed = h.sim.list(SEGMENT, 0)[7]!;
    h.sim.moveTicket(SEGMENT, closed.ticketID, 0, 1);

    const report = await probe(h, 'full');

    expect(report.lists[0]).toMatchObject({
      segmentId: SEGMENT,
      status: 0,
      verified: true,
      counts: { passes: 2, ticketsGone: 1 },
    });
    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${closed.ticketID}`]);
    expect(h.logs.lines().some((l) => l['msg'] === 'stored tickets not read: verifying the list' && l['notRead'] === 1)).toBe(
      true,
    );
  });

  test('when the budget has no room for a verifying pass, then nothing is marked gone until a later read can verify, which closes it', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 45, perPage: 10 });
    await firstSync(h);
    const closed = h.sim.list(SEGMENT, 0)[3]!;
    h.sim.removeTicket(SEGMENT, 0, closed.ticketID);

    const deferred = await h.run({ lists: [{ segmentId: SEGMENT, status: 0, perPage: 10, mode: 'full', reserved: 5 }], pool: 0 });

    expect(deferred.lists[0]).toMatchObject({ outcome: 'succeeded', verified: false, counts: { passes: 1, ticketsGone: 0 } });
    expect(await goneMemberships(h.tdb)).toEqual([]); // not closed: but never falsely gone either
    expect(
      h.logs.lines().some((l) => l['msg'] === 'verification deferred: the API call budget has no room for another pass'),
    ).toBe(true);
    const [state] = await readListStates(h.tdb.db);
    expect(state?.needsFullRead).toBe(true);

    await probe(h, 'full');

    expect(await goneMemberships(h.tdb)).toEqual([`${SEGMENT}/0/${closed.ticketID}`]);
  });
});

describe('servers that serve pages their own way', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when the server clamps a page size of 1000 to 100 and says so, then the list is read exactly at 100', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 1_234, perPage: 1_000, simulator: { clampPerPage: 100 } });

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ outcome: 'succeeded', verified: true, counts: { pages: 13 } });
    expect(h.sim.requests).toHaveLength(13);
    await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
    const [state] = await readListStates(h.tdb.db);
    expect(state?.servedPerPage).toBe(100);
  });

  test('when the server refuses a page size over 100 (400), then the list is read at 100, and the next plans ask for 100', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 345, perPage: 1_000, simulator: { maxPerPage: 100 } });

    const report = await h.run();

    expect(h.sim.requests.map((r) => [r.httpStatus, r.perPage])).toEqual([[400, 1_000], ...[1, 2, 3, 4].map(() => [200, 100])]);
    expect(report.lists[0]).toMatchObject({ outcome: 'succeeded', verified: true });
    await expectMatchesSource(h.sim, h.tdb, [[SEGMENT, 0]]);
    const plan = planRun(
      [{ segmentId: SEGMENT, status: 0, perPage: 1_000 }],
      await readListStates(h.tdb.db),
      { verifyIntervalSeconds: 86_400, statusIntervalSeconds: {}, openStatuses: [0] },
      new Date(),
    );
    expect(plan.lists[0]).toMatchObject({ perPage: 100, mode: 'probe' });
    expect(h.logs.lines().some((l) => l['msg'] === 'page size refused (400): reading the list at the documented default')).toBe(
      true,
    );
  });

  test('when every answer lists its page in another order, then reads settle, the order is learnt and probes see nothing changed', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 95, perPage: 10, simulator: { shuffleWithinPages: true } });

    await firstSync(h);
    const [state] = await readListStates(h.tdb.db);
    expect(state?.servedOrder).toBe('newest_first');
    const from = h.sim.requests.length;
    const probed = await probe(h);
    expect(callsSince(h, from)).toBe(1);
    expect(probed.lists[0]).toMatchObject({ outcome: 'succeeded', counts: { ticketsInserted: 0, ticketsUpdated: 0 } });

    // A verified crawl after a change: two reads in different orders are the same read.
    h.sim.removeTicket(SEGMENT, 0, h.sim.list(SEGMENT, 0)[40]!.ticketID);
    const full = await probe(h, 'full');
    expect(full.lists[0]).toMatchObject({ outcome: 'succeeded', verified: true, counts: { passes: 2, ticketsGone: 1 } });
  });

  test('when a record with a ticketID stays unstorable, then it counts as in the list: probes settle in one call, with no extra verification', async () => {
    h = await startHarness({ segments: [SEGMENT], ticketsPerList: 130, perPage: 10 });
    const list = h.sim.list(SEGMENT, 0);
    h.sim.setList(
      SEGMENT,
      0,
      list.map((t, i) => (i === 57 ? { ...t, rating: 'eleven' } : t)),
    );

    const first = await h.run();
    expect(first.lists[0]).toMatchObject({ verified: true, counts: { passes: 1, ticketsRejected: 1 } });
    const from = h.sim.requests.length;

    const probed = await probe(h);
    expect(callsSince(h, from)).toBe(1);
    expect(probed.lists[0]).toMatchObject({ outcome: 'succeeded', counts: { passes: 1 } });

    const again = await probe(h, 'full');
    expect(again.lists[0]).toMatchObject({ verified: true, counts: { passes: 1, apiCalls: 13 } });
  });
});

describe('lists that share tickets', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when four segments hold the same tickets with other contents and are read at once, then no write fails, run after run', async () => {
    const segments = [761, 762, 763, 764];
    h = await startHarness({ segments, ticketsPerList: 200, perPage: 20 });
    const shared = h.sim.list(761, 0);
    for (let run = 1; run <= 5; run++) {
      segments.forEach((segmentId, i) =>
        h.sim.setList(
          segmentId,
          0,
          shared.map((t) => ({ ...t, comment: `run ${run}, segment ${i}: ${t.comment}` })),
        ),
      );

      const report = await h.run({ mode: 'full', concurrency: 4 });

      expect(report.lists.map((l) => [l.segmentId, l.outcome, l.code])).toEqual(segments.map((s) => [s, 'succeeded', undefined]));
    }
    const [row] = await h.tdb.query<{ current: number; tickets: number }>(
      `SELECT count(*) FILTER (WHERE valid_to IS NULL)::int AS current, count(DISTINCT ticket_id)::int AS tickets FROM detractor_ticket_versions`,
    );
    expect(row).toEqual({ current: 200, tickets: 200 }); // one current version per ticket
  });
});
