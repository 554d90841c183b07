import { describe, expect, test } from '@jest/globals';
import { budgetAllowance, planRun, type PlanSettings } from '../../src/budget/planner.js';
import { RunAllowance } from '../../src/budget/run-allowance.js';
import type { ListState } from '../../src/db/sql/list-state.js';

const now = new Date('2026-11-28T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const settings: PlanSettings = { verifyIntervalSeconds: 86_400, statusIntervalSeconds: {}, openStatuses: [0] };
const list = (segmentId: number, status: number) => ({ segmentId, status, perPage: 100 });
/** A list served newest first, read fully and verified half an hour ago: probes keep it fresh. */
const state = (segmentId: number, status: number, h: Partial<ListState> = {}): ListState => ({
  segmentId,
  status,
  lastSuccessAt: hoursAgo(0.25),
  lastVerifiedAt: hoursAgo(0.5),
  lastTotalItems: 250,
  servedOrder: 'newest_first',
  servedPerPage: 100,
  needsFullRead: false,
  lastFullReadRunId: 7n,
  ...h,
});
const day = { periodStart: new Date('2026-11-28T00:00:00Z'), periodEnd: new Date('2026-11-29T00:00:00Z') };
const modes = (plan: ReturnType<typeof planRun>) => plan.lists.map((l) => [l.segmentId, l.status, l.mode, l.reserved]);

describe('the budget pace line', () => {
  test('when half the period has passed, then half the budget may have been spent, and a 30th of it ahead of the line', () => {
    expect(budgetAllowance({ budget: 1_000, used: 0, ...day }, now, 10)).toBe(533);
    expect(budgetAllowance({ budget: 1_000, used: 528, ...day }, now, 10)).toBe(5);
    expect(budgetAllowance({ budget: 1_000, used: 600, ...day }, now, 10)).toBe(0);
  });

  test('when the period is young, then only what may run ahead of the line is there: no spending spree at the first ticks', () => {
    expect(budgetAllowance({ budget: 20_000, used: 0, ...day }, day.periodStart, 15)).toBe(666);
    expect(budgetAllowance({ budget: 20_000, used: 0, ...day }, day.periodStart, 900)).toBe(900); // a first sync that needs more
  });

  test('when the budget is nearly spent, then never more than what is left', () => {
    expect(budgetAllowance({ budget: 100, used: 99, ...day }, new Date('2026-11-28T23:59:00Z'), 50)).toBe(1);
  });
});

describe('planning a run', () => {
  test('when lists are served newest first and were read fully, then each gets a probe of one call', () => {
    const plan = planRun([list(1, 0), list(1, 1)], [state(1, 0), state(1, 1)], settings, now);
    expect(modes(plan)).toEqual([
      [1, 0, 'probe', 1],
      [1, 1, 'probe', 1],
    ]);
    expect(plan).toMatchObject({ deferred: [], notDue: [], allowance: undefined, pool: Number.POSITIVE_INFINITY });
  });

  test('when a list was never read, is not served newest first, or a probe asked for it, then it is read fully', () => {
    const plan = planRun(
      [list(1, 0), list(2, 0), list(3, 0), list(4, 0)],
      [state(2, 0, { servedOrder: 'other' }), state(3, 0, { needsFullRead: true }), state(4, 0, { servedOrder: null })],
      settings,
      now,
    );
    // Never read: its size is unknown, so page 1 is reserved and the rest comes from the pool.
    // A probe asked for a full read: tickets left, two passes reserved, after the probe (verify).
    expect(modes(plan)).toEqual([
      [1, 0, 'full', 1],
      [2, 0, 'full', 3],
      [3, 0, 'verify', 7],
      [4, 0, 'full', 3],
    ]);
  });

  test('when a verification is due, then the probe is followed by a full read (verify); the others stay on probes', () => {
    const plan = planRun([list(1, 0), list(2, 0)], [state(1, 0, { lastVerifiedAt: hoursAgo(30) }), state(2, 0)], settings, now);
    expect(modes(plan)).toEqual([
      [1, 0, 'verify', 4],
      [2, 0, 'probe', 1],
    ]);
  });

  test('when SYNC_VERIFY_INTERVAL would cost more than a quarter of the budget, then verifications come as often as it can pay', () => {
    // 3 lists of 50 pages: verifying each daily costs 4,500 calls a month, a quarter of 20,000 is 5,000.
    const month = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };
    const big = (segmentId: number, verifiedHoursAgo: number) =>
      state(segmentId, 0, { lastTotalItems: 5_000, lastVerifiedAt: hoursAgo(verifiedHoursAgo) });
    const lists = [list(1, 0), list(2, 0), list(3, 0)];
    const plan = (budget: number) =>
      planRun(lists, [big(1, 7), big(2, 12), big(3, 25)], { ...settings, verifyIntervalSeconds: 6 * 3_600 }, now, {
        budget,
        used: 0,
        ...month,
      });
    expect(modes(plan(1_000_000)).map(([, , mode]) => mode)).toEqual(['verify', 'verify', 'verify']);
    expect(modes(plan(20_000)).map(([, , mode]) => mode)).toEqual(['probe', 'probe', 'verify']); // every 21.6 h
  });

  test('when the server serves fewer per page than asked, then pages are counted at the size it serves', () => {
    const plan = planRun(
      [{ ...list(1, 0), perPage: 1_000 }],
      [state(1, 0, { servedPerPage: 100, lastVerifiedAt: null })],
      settings,
      now,
    );
    expect(plan.lists[0]).toMatchObject({ perPage: 100, pagesPerPass: 3, reserved: 4, mode: 'verify' });
  });

  test('when a status is read every 6 h and was read 2 h ago, then its lists are not due', () => {
    const plan = planRun(
      [list(1, 0), list(1, 1)],
      [state(1, 0), state(1, 1, { lastSuccessAt: hoursAgo(2) })],
      { ...settings, statusIntervalSeconds: { 1: 6 * 3_600 } },
      now,
    );
    expect(plan.lists.map((l) => l.status)).toEqual([0]);
    expect(plan.notDue).toEqual([list(1, 1)]);
  });

  test('when the budget fits the probes but not a due verification, then the lists stay on probes and half the rest is held back', () => {
    // Half the day gone, the line at 500 and 33 ahead of it: 12 left after 521 used.
    const plan = planRun(
      [list(1, 0), list(2, 0), list(3, 0)],
      [state(1, 0, { lastVerifiedAt: null, lastTotalItems: 5_000 }), state(2, 0), state(3, 0)],
      settings,
      now,
      { budget: 1_000, used: 521, ...day },
    );
    expect(plan.allowance).toBe(12);
    expect(modes(plan)).toEqual([
      [1, 0, 'probe', 1],
      [2, 0, 'probe', 1],
      [3, 0, 'probe', 1],
    ]);
    expect(plan.pool).toBe(4); // of the 9 left, half is kept back: the allowance grows to the 50 calls it needs
  });

  test('when the budget has no room for a list that cannot be probed, then open lists come first and it is deferred with the reason', () => {
    const plan = planRun(
      [list(1, 1), list(1, 0)],
      [state(1, 1, { servedOrder: 'other', lastSuccessAt: hoursAgo(5) }), state(1, 0)],
      settings,
      now,
      { budget: 1_000, used: 532, ...day },
    );
    expect(plan.allowance).toBe(1);
    expect(modes(plan)).toEqual([[1, 0, 'probe', 1]]);
    expect(plan.deferred).toEqual([{ ...list(1, 1), reason: 'a full read costs about 3 call(s), the budget allows 0 now' }]);
  });

  test('when the budget cannot pay every probe and a full read, then probes take at most half, the full read waits for the rest', () => {
    const lists = [list(1, 0), list(2, 0), list(3, 0), list(4, 0), list(5, 0)];
    const states = [
      state(1, 0, { servedOrder: 'other', lastTotalItems: 500 }),
      state(2, 0),
      state(3, 0),
      state(4, 0),
      state(5, 0),
    ];
    const plan = planRun(lists, states, settings, now, { budget: 1_000, used: 527, ...day });
    expect(plan.allowance).toBe(6);
    expect(modes(plan)).toEqual([
      [2, 0, 'probe', 1],
      [3, 0, 'probe', 1],
      [4, 0, 'probe', 1],
    ]);
    expect(plan.deferred.map((d) => d.segmentId)).toEqual([5, 1]);
  });
});

describe('the allowance of a run', () => {
  test('when lists spend, then each draws its reservation first and the pool after; a refusal takes nothing', () => {
    const plan = planRun([list(1, 0), list(2, 0)], [state(1, 0), state(2, 0)], settings, now);
    const allowance = new RunAllowance(plan.lists, 2);
    const one = allowance.forList(list(1, 0));
    const two = allowance.forList(list(2, 0));
    expect(one.take(1)).toBe(true); // its probe
    expect(one.take(2)).toBe(true); // the whole pool
    expect(two.take(2)).toBe(false); // its own 1 and an empty pool: refused, nothing taken
    expect(two.take(1)).toBe(true);
    expect(RunAllowance.unlimited().forList(list(3, 0)).take(1_000_000)).toBe(true);
  });
});
