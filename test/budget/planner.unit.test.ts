import { describe, expect, test } from '@jest/globals';
import { budgetAllowance, planRun, type PlanSettings } from '../../src/budget/planner.js';
import type { ListState } from '../../src/db/sql/list-state.js';

const now = new Date('2026-11-28T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const settings: PlanSettings = { verifyIntervalSeconds: 3_600, statusIntervalSeconds: {}, openStatuses: [0], verifyPasses: 2 };
const list = (segmentId: number, status: number) => ({ segmentId, status, perPage: 100 });
const history = (segmentId: number, status: number, h: Partial<ListState>): ListState => ({
  segmentId,
  status,
  lastSuccessAt: hoursAgo(0.25),
  lastVerifiedAt: hoursAgo(0.5),
  lastTotalItems: 250,
  ...h,
});
const day = { periodStart: new Date('2026-11-28T00:00:00Z'), periodEnd: new Date('2026-11-29T00:00:00Z') };

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
  test('when nothing is due and there is no budget, then every list is read once', () => {
    const plan = planRun([list(1, 0), list(1, 1)], [history(1, 0, {}), history(1, 1, {})], settings, now);
    expect(plan.lists.map((l) => [l.segmentId, l.status, l.mode, l.pagesPerPass])).toEqual([
      [1, 0, 'read', 3],
      [1, 1, 'read', 3],
    ]);
    expect(plan).toMatchObject({ deferred: [], notDue: [], allowance: undefined, verifyAllowance: Number.POSITIVE_INFINITY });
  });

  test('when a list was never verified or not for an hour, then it is verified', () => {
    const plan = planRun([list(1, 0), list(2, 0)], [history(1, 0, { lastVerifiedAt: hoursAgo(1.5) })], settings, now);
    expect(plan.lists.map((l) => l.mode)).toEqual(['verify', 'verify']);
  });

  test('when a status is read every 6 h and was read 2 h ago, then its lists are not due', () => {
    const plan = planRun(
      [list(1, 0), list(1, 1)],
      [history(1, 0, {}), history(1, 1, { lastSuccessAt: hoursAgo(2) })],
      { ...settings, statusIntervalSeconds: { 1: 6 * 3_600 } },
      now,
    );
    expect(plan.lists.map((l) => l.status)).toEqual([0]);
    expect(plan.notDue).toEqual([list(1, 1)]);
  });

  test('when the budget allows only some reads, then open lists come first and the rest are deferred with the reason', () => {
    const lists = [list(1, 1), list(1, 0), list(2, 0)];
    const h = [history(1, 1, { lastSuccessAt: hoursAgo(5) }), history(1, 0, {}), history(2, 0, {})];
    // Half the day gone, half the budget used: only the head start (the due reads, 9 calls) is left.
    const plan = planRun(lists, h, settings, now, { budget: 1_000, used: 500, ...day });
    expect(plan.allowance).toBe(9);
    expect(plan.lists.map((l) => [l.segmentId, l.status])).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
    ]);
    const tight = planRun(lists, h, settings, now, { budget: 1_000, used: 503, ...day });
    expect(tight.lists.map((l) => [l.segmentId, l.status, l.mode])).toEqual([
      [1, 0, 'read'],
      [2, 0, 'read'],
    ]);
    expect(tight.deferred).toEqual([{ ...list(1, 1), reason: 'a read costs about 3 call(s), the budget allows 0 now' }]);
    expect(tight.verifyAllowance).toBe(0);
  });

  test('when verification is due but the budget fits only reads, then the lists are read once', () => {
    const plan = planRun([list(1, 0)], [history(1, 0, { lastVerifiedAt: null })], settings, now, {
      budget: 1_000,
      used: 501,
      ...day,
    });
    expect(plan.allowance).toBe(5); // the line (500) plus the head start (a verified crawl, 6) leaves 5: a read, not two
    expect(plan.lists.map((l) => l.mode)).toEqual(['read']);
  });
});
