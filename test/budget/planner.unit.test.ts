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
  test('when half the period has passed, then half the budget (plus the head start) may have been spent', () => {
    expect(budgetAllowance({ budget: 1_000, used: 0, ...day }, now, 10)).toBe(510);
    expect(budgetAllowance({ budget: 1_000, used: 505, ...day }, now, 10)).toBe(5);
    expect(budgetAllowance({ budget: 1_000, used: 600, ...day }, now, 10)).toBe(0);
  });

  test('when the period is young, then only the head start is there: no spending spree at the first ticks', () => {
    expect(budgetAllowance({ budget: 20_000, used: 0, ...day }, day.periodStart, 15)).toBe(15);
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
    expect(modes(plan)).toEqual([
      [1, 0, 'full', 1],
      [2, 0, 'full', 3],
      [3, 0, 'full', 3],
      [4, 0, 'full', 3],
    ]);
  });

  test('when a verification is due, then the probe becomes a full read; verifications by the time they are overdue', () => {
    const plan = planRun([list(1, 0), list(2, 0)], [state(1, 0, { lastVerifiedAt: hoursAgo(30) }), state(2, 0)], settings, now);
    expect(modes(plan)).toEqual([
      [1, 0, 'full', 3],
      [2, 0, 'probe', 1],
    ]);
  });

  test('when the server serves fewer per page than asked, then pages are counted at the size it serves', () => {
    const plan = planRun(
      [{ ...list(1, 0), perPage: 1_000 }],
      [state(1, 0, { servedPerPage: 100, lastVerifiedAt: null })],
      settings,
      now,
    );
    expect(plan.lists[0]).toMatchObject({ perPage: 100, pagesPerPass: 3, reserved: 3, mode: 'full' });
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
    // Half the day gone, the line at 500 + the head start (3 probes): 3 + 9 left after 491 used.
    const plan = planRun(
      [list(1, 0), list(2, 0), list(3, 0)],
      [state(1, 0, { lastVerifiedAt: null, lastTotalItems: 5_000 }), state(2, 0), state(3, 0)],
      settings,
      now,
      { budget: 1_000, used: 491, ...day },
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
      { budget: 1_000, used: 503, ...day },
    );
    expect(modes(plan)).toEqual([[1, 0, 'probe', 1]]);
    expect(plan.deferred).toEqual([{ ...list(1, 1), reason: 'a full read costs about 3 call(s), the budget allows 0 now' }]);
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
