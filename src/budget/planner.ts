import type { ListState } from '../db/sql/list-state.js';
import { listIdentity, type ListRef } from '../lists/list.js';

/**
 * `read`: one pass (a verified crawl follows only if the read shows that tickets left
 * or moved, and the budget allows); `verify`: a verified crawl (confirmed complete, then
 * closures), due every SYNC_VERIFY_INTERVAL.
 */
export type ListMode = 'read' | 'verify';

export interface PlannedList extends ListRef {
  readonly mode: ListMode;
  /** Estimated calls: pages of one pass, per pass. */
  readonly pagesPerPass: number;
}

export interface DeferredList extends ListRef {
  readonly reason: string;
}

export interface RunPlan {
  readonly lists: readonly PlannedList[];
  /** Lists the budget could not fit now; recorded as skipped (BUDGET_DEFERRED). */
  readonly deferred: readonly DeferredList[];
  /** Lists whose status interval has not passed yet: not read, not recorded. */
  readonly notDue: readonly ListRef[];
  /** Calls still available for verified crawls a read asks for (Infinity without a budget). */
  readonly verifyAllowance: number;
  /** The calls this run may spend, when there is a budget. */
  readonly allowance: number | undefined;
}

export interface PlanSettings {
  readonly verifyIntervalSeconds: number;
  readonly statusIntervalSeconds: Readonly<Record<number, number>>;
  readonly openStatuses: readonly number[];
  /** Passes of a verified crawl at least: 2 when it must read the list twice alike. */
  readonly verifyPasses: number;
}

export interface BudgetPosition {
  readonly budget: number;
  readonly used: number;
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/**
 * The calls the budget allows now. Spending follows a straight line from the period's
 * start (0 calls) to its end (the whole budget), plus a head start of `headStart` calls
 * so the first run of a period, or after a restart, does not wait: a worker spreads the
 * remaining calls over the period instead of spending them at the first ticks and going
 * dark, and calls it did not spend (the worker was down) are caught up at its pace. The
 * line is computed from the ledger, so replicas sharing a key share it too.
 */
export function budgetAllowance(position: BudgetPosition, now: Date, headStart: number): number {
  const length = position.periodEnd.getTime() - position.periodStart.getTime();
  const elapsed = Math.min(Math.max(now.getTime() - position.periodStart.getTime(), 0), length);
  const line = (position.budget * elapsed) / length + Math.min(headStart, position.budget);
  return Math.max(0, Math.floor(Math.min(line, position.budget) - position.used));
}

const ageSeconds = (at: Date | null, now: Date) =>
  at === null ? Number.POSITIVE_INFINITY : (now.getTime() - at.getTime()) / 1000;

/**
 * Which lists a run reads, how, and within what budget. Lists of open statuses come
 * first (their tickets need action), then the others, stalest first; a verified crawl
 * is planned when one is due and the budget fits it, else the list is read once. A list
 * whose read does not fit is deferred, and says so.
 */
export function planRun(
  lists: readonly ListRef[],
  states: readonly ListState[],
  settings: PlanSettings,
  now: Date,
  budget?: BudgetPosition,
): RunPlan {
  const byList = new Map(states.map((h) => [listIdentity(h), h]));
  const notDue: ListRef[] = [];
  const due: Array<{ list: ListRef; pages: number; verifyDue: boolean; open: boolean; age: number }> = [];
  for (const list of lists) {
    const h = byList.get(listIdentity(list));
    const interval = settings.statusIntervalSeconds[list.status];
    if (interval !== undefined && ageSeconds(h?.lastSuccessAt ?? null, now) < interval) {
      notDue.push(list);
      continue;
    }
    due.push({
      list,
      pages: Math.max(1, Math.ceil((h?.lastTotalItems ?? 0) / list.perPage)),
      verifyDue: ageSeconds(h?.lastVerifiedAt ?? null, now) >= settings.verifyIntervalSeconds,
      open: settings.openStatuses.includes(list.status),
      age: ageSeconds(h?.lastSuccessAt ?? null, now),
    });
  }
  due.sort((a, b) => Number(b.open) - Number(a.open) || b.age - a.age);

  const verifyCost = (pages: number) => pages * settings.verifyPasses;
  const headStart = due.reduce((n, d) => n + (d.verifyDue ? verifyCost(d.pages) : d.pages), 0);
  const allowance = budget ? budgetAllowance(budget, now, headStart) : undefined;
  let left = allowance ?? Number.POSITIVE_INFINITY;
  const reads: typeof due = [];
  const deferred: DeferredList[] = [];
  // Reads first, for every list that fits: fresh data beats closures.
  for (const d of due) {
    if (d.pages > left) {
      deferred.push({ ...d.list, reason: `a read costs about ${d.pages} call(s), the budget allows ${left} now` });
      continue;
    }
    left -= d.pages;
    reads.push(d);
  }
  // Then the verified crawls that are due, with what is left.
  const planned = reads.map((d): PlannedList => {
    const extra = verifyCost(d.pages) - d.pages;
    const verify = d.verifyDue && extra <= left;
    if (verify) left -= extra;
    return { ...d.list, mode: verify ? 'verify' : 'read', pagesPerPass: d.pages };
  });
  return { lists: planned, deferred, notDue, verifyAllowance: left, allowance };
}
