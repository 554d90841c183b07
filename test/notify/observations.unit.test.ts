import { describe, expect, test } from '@jest/globals';
import type { BudgetStatus } from '../../src/budget/budget-status.js';
import type { ListHealthRow } from '../../src/db/sql/notifications.js';
import { listHealthState, observe } from '../../src/notify/observations.js';

const NOW = new Date('2026-12-11T08:00:00Z');
const lists = [
  { segmentId: 101, status: 0, perPage: 100 },
  { segmentId: 102, status: 1, perPage: 100 },
];

function row(segmentId: number, status: number, extra: Partial<ListHealthRow> = {}): ListHealthRow {
  return {
    segmentId,
    status,
    lastOutcome: 'succeeded',
    errorCode: null,
    apiErrorId: null,
    requestId: null,
    runId: 5n,
    lastSuccessAt: new Date(NOW.getTime() - 60_000),
    now: NOW,
    ...extra,
  };
}

describe('what a run says, as states', () => {
  test.each([
    ['succeeded', null, 'ok'],
    ['failed', 'API_NOT_FOUND', 'failing'],
    // The run failed as a whole: a rejected key stops every list.
    ['aborted', 'API_UNAUTHORIZED', 'failing'],
    ['skipped', 'API_UNAUTHORIZED', 'failing'],
    ['failed', 'API_QUOTA_EXHAUSTED', 'allowance'],
    ['skipped', 'API_BUDGET_EXHAUSTED', 'allowance'],
    // Nothing new: a shutdown, a deferral, a partial read.
    ['aborted', 'ABORTED', undefined],
    ['skipped', 'BUDGET_DEFERRED', undefined],
    ['partial', 'LIST_UNSETTLED', undefined],
  ])('when the last attempt was %s with %p, then the list is %p', (lastOutcome, errorCode, state) => {
    expect(listHealthState(row(101, 0, { lastOutcome, errorCode }))).toBe(state);
  });

  test('when a list failed and another is older than its bound, then each is observed; lists not configured are not', () => {
    const observations = observe({
      lists,
      health: [
        row(101, 0, { lastOutcome: 'failed', errorCode: 'API_FORBIDDEN', lastSuccessAt: null }),
        row(102, 1, { lastSuccessAt: new Date(NOW.getTime() - 3_700_000) }),
        row(999, 0, { lastOutcome: 'failed', errorCode: 'API_FORBIDDEN' }),
      ],
      staleAfterSeconds: 1_800,
      statusIntervalSeconds: { 1: 1_800 },
    });
    expect(observations.map((o) => [o.kind, o.subject, o.state, o.event])).toEqual([
      ['list_health', '101/0', 'failing', 'lists_failing'],
      // Never synced: told as failing, not as stale.
      ['list_health', '102/1', 'ok', 'lists_recovered'],
      ['list_freshness', '102/1', 'stale', 'lists_stale'],
    ]);
    expect(observations[2]?.list).toMatchObject({ ageSeconds: 3_700, limitSeconds: 3_600 });
  });

  test('when a list is fresh again, then it is observed without a message (it only re-arms)', () => {
    const [, fresh] = observe({ lists: lists.slice(0, 1), health: [row(101, 0)], staleAfterSeconds: 900 });
    expect(fresh).toMatchObject({ kind: 'list_freshness', state: 'fresh', event: undefined });
  });

  test('when the forecast exceeds the budget, then the period is observed short; within it, nothing is', () => {
    const budget = (projectedAtPeriodEnd: number, limit: number | undefined): BudgetStatus => ({
      budget: limit,
      used: 10,
      remaining: undefined,
      period: 'day',
      periodStart: new Date('2026-12-11T00:00:00Z'),
      periodEnd: new Date('2026-12-12T00:00:00Z'),
      now: NOW,
      pacePerHour: 1,
      projectedAtPeriodEnd,
      byOutcome: {},
      answers: {},
    });
    const short = observe({ lists: [], health: [], staleAfterSeconds: 900, budget: budget(1_200, 1_000) });
    expect(short).toMatchObject([{ kind: 'budget_forecast', subject: '2026-12-11T00:00:00.000Z', state: 'short' }]);
    expect(observe({ lists: [], health: [], staleAfterSeconds: 900, budget: budget(900, 1_000) })).toEqual([]);
    expect(observe({ lists: [], health: [], staleAfterSeconds: 900, budget: budget(900, undefined) })).toEqual([]);
  });
});
