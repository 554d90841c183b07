import type { ListState } from '../db/sql/list-state.js';
import { listIdentity, type ListRef } from '../lists/list.js';

/**
 * `probe`: page 1 against what the database holds as the head of the list (a list
 * served newest first, read fully before): new tickets at the head are stored, and
 * tickets that left are located by bisection over pages. `full`: every page; verified
 * when it matches the database, or when two reads agree (then what left is closed).
 * `verify`: a probe, then a full read: the probe records what it can see, so the full
 * read usually matches in one pass instead of needing a second.
 */
export type ListMode = 'probe' | 'full' | 'verify';

export interface PlannedList extends ListRef {
  readonly mode: ListMode;
  /** Estimated pages of one pass at the page size the server serves (1 while unknown). */
  readonly pagesPerPass: number;
  /** Calls set aside for the list in this run; more come from the run's shared pool. */
  readonly reserved: number;
  /** Records quarantined in the list since this run are in the list too (see knownListOrder). */
  readonly quarantinedSince: bigint | null;
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
  /** Calls any list may draw on beyond its reservation (bisections, confirming passes, sizes learnt); Infinity without a budget. */
  readonly pool: number;
  /** The calls this run may spend, when there is a budget. */
  readonly allowance: number | undefined;
}

export interface PlanSettings {
  readonly verifyIntervalSeconds: number;
  readonly statusIntervalSeconds: Readonly<Record<number, number>>;
  readonly openStatuses: readonly number[];
}

export interface BudgetPosition {
  readonly budget: number;
  readonly used: number;
  readonly periodStart: Date;
  readonly periodEnd: Date;
}

/**
 * While a verification is due and does not fit yet, the share of what is left over that
 * the run does not spend: the allowance then builds up to it, so closures found by
 * probes never starve the verified reads (which catch what a probe cannot see).
 */
const VERIFICATION_SHARE = 0.5;

/**
 * The share of a budget verifications may take: when SYNC_VERIFY_INTERVAL would cost
 * more, the lists are verified less often, so probes (fresh data, closures) keep the rest.
 */
const VERIFICATION_BUDGET_SHARE = 0.25;

/**
 * Seconds between two verifications of each list that `calls` per `periodSeconds` can pay
 * for: the full reads of every list (`pages` calls) at most VERIFICATION_BUDGET_SHARE of it.
 */
export function verifySpacingWithin(pages: number, calls: number, periodSeconds: number): number {
  return (pages * periodSeconds) / Math.max(1, VERIFICATION_BUDGET_SHARE * calls);
}

/** verifySpacingWithin the budget's period now running. */
export function affordableVerifySpacing(pages: number, budget: BudgetPosition): number {
  const periodSeconds = (budget.periodEnd.getTime() - budget.periodStart.getTime()) / 1000;
  return verifySpacingWithin(pages, budget.budget, periodSeconds);
}

/**
 * How far spending may run ahead of the line, as a share of the budget: a day's share
 * of a month. A period's first runs (the line is still near 0) and a first sync of the
 * account fit in it, so data does not go stale for hours after each period begins.
 */
const AHEAD_SHARE = 1 / 30;

/**
 * The calls the budget allows now. Spending follows a straight line from the period's
 * start (0 calls) to its end (the whole budget), and may run ahead of it by a 30th of
 * the budget, or by `headStart` calls (what this run needs to keep every list fresh)
 * when that is more: a worker spreads the remaining calls over the period instead of
 * spending them at the first ticks and going dark, and calls it did not spend (the
 * worker was down) are caught up at its pace. The line is computed from the ledger,
 * so replicas sharing a key share it too.
 */
export function budgetAllowance(position: BudgetPosition, now: Date, headStart: number): number {
  const length = position.periodEnd.getTime() - position.periodStart.getTime();
  const elapsed = Math.min(Math.max(now.getTime() - position.periodStart.getTime(), 0), length);
  const ahead = Math.max(headStart, position.budget * AHEAD_SHARE);
  const line = (position.budget * elapsed) / length + Math.min(ahead, position.budget);
  return Math.max(0, Math.floor(Math.min(line, position.budget) - position.used));
}

const ageSeconds = (at: Date | null, now: Date) =>
  at === null ? Number.POSITIVE_INFINITY : (now.getTime() - at.getTime()) / 1000;

interface Due {
  readonly list: ListRef;
  readonly state: ListState | undefined;
  readonly pages: number;
  /** Served newest first and read fully before: a probe can keep it fresh. */
  readonly probeable: boolean;
  /** A full read is wanted: a verification is due, or a probe could not explain what it saw. */
  readonly fullDue: boolean;
  /** Without a full read the list cannot be kept fresh at all (never read, not served newest first). */
  readonly fullNeeded: boolean;
  readonly open: boolean;
  /** Seconds since the list was last verified (Infinity: never). */
  readonly unverifiedFor: number;
  readonly staleFor: number;
}

function dueList(
  list: ListRef,
  state: ListState | undefined,
  when: { readonly verifyEvery: number; readonly open: boolean; readonly now: Date },
): Due {
  const { verifyEvery, now } = when;
  // The page size the server really serves for this list, when it is smaller than asked.
  const perPage = Math.min(list.perPage, state?.servedPerPage ?? list.perPage);
  const unverifiedFor = ageSeconds(state?.lastVerifiedAt ?? null, now);
  return {
    list: { ...list, perPage },
    state,
    pages: Math.max(1, Math.ceil((state?.lastTotalItems ?? 0) / perPage)),
    probeable: state?.servedOrder === 'newest_first' && state.lastFullReadRunId !== null,
    fullDue: unverifiedFor >= verifyEvery || state?.needsFullRead === true,
    fullNeeded: !(state?.servedOrder === 'newest_first' && state.lastFullReadRunId !== null),
    open: when.open,
    unverifiedFor,
    staleFor: ageSeconds(state?.lastSuccessAt ?? null, now),
  };
}

/**
 * What a full read of a list is reserved: a list never read has an unknown size, so its
 * first page (the rest comes from the pool); one a probe could not explain, two passes
 * (tickets left it: the read that finds them needs a second to confirm); else one pass.
 */
function fullReadCost(d: Due): number {
  if (d.state?.lastTotalItems == null) return 1;
  return d.state.needsFullRead ? 2 * d.pages : d.pages;
}

/**
 * Which lists a run reads, how, and within what budget. Every list that can be probed
 * gets its probe first (one call), open statuses first; then the full reads, those
 * without which a list cannot be kept fresh at all (never read, not served newest
 * first, a probe that could not explain what it saw) and the verifications that are
 * due, most overdue first. A verification that does not fit leaves its list on probes
 * and holds back part of what is left, so the allowance grows to it; a list that cannot
 * even be read is deferred, and says so. What is left over is the pool that bisections,
 * confirming passes and lists of unknown size draw on.
 */
export function planRun(
  lists: readonly ListRef[],
  states: readonly ListState[],
  settings: PlanSettings,
  now: Date,
  budget?: BudgetPosition,
): RunPlan {
  const byList = new Map(states.map((s) => [listIdentity(s), s]));
  const pagesOf = (list: ListRef) => {
    const state = byList.get(listIdentity(list));
    return Math.max(1, Math.ceil((state?.lastTotalItems ?? 0) / Math.min(list.perPage, state?.servedPerPage ?? list.perPage)));
  };
  const allPages = lists.reduce((n, list) => n + pagesOf(list), 0);
  const verifyEvery = Math.max(settings.verifyIntervalSeconds, budget ? affordableVerifySpacing(allPages, budget) : 0);
  const notDue: ListRef[] = [];
  const due: Due[] = [];
  for (const list of lists) {
    const state = byList.get(listIdentity(list));
    const interval = settings.statusIntervalSeconds[list.status];
    if (interval !== undefined && ageSeconds(state?.lastSuccessAt ?? null, now) < interval) notDue.push(list);
    else due.push(dueList(list, state, { verifyEvery, open: settings.openStatuses.includes(list.status), now }));
  }
  due.sort((a, b) => Number(b.open) - Number(a.open) || b.staleFor - a.staleFor);
  const probes = due.filter((d) => d.probeable);
  // Needed first, then what a probe asked for, then verifications by how overdue they are.
  const fulls = due
    .filter((d) => d.fullNeeded || d.fullDue)
    .sort(
      (a, b) =>
        Number(b.fullNeeded) - Number(a.fullNeeded) ||
        Number(b.state?.needsFullRead === true) - Number(a.state?.needsFullRead === true) ||
        Number(b.open) - Number(a.open) ||
        b.unverifiedFor - a.unverifiedFor,
    );

  // Enough to keep every list fresh: a probe, or a full read where no probe can do.
  const headStart = due.reduce((n, d) => n + (d.fullNeeded ? d.pages : 1), 0);
  const allowance = budget ? budgetAllowance(budget, now, headStart) : undefined;
  let left = allowance ?? Number.POSITIVE_INFINITY;
  const planned = new Map<Due, PlannedList>();
  const deferred: DeferredList[] = [];
  const plan = (d: Due, mode: ListMode, reserved: number) => {
    left -= reserved;
    planned.set(d, {
      ...d.list,
      mode,
      pagesPerPass: d.pages,
      reserved,
      quarantinedSince: d.state?.lastFullReadRunId ?? null,
    });
  };
  // When the budget cannot pay for everything, probes get at most their share of it, so
  // the full reads (and with them closures and verifications) are never starved by probes.
  const fullCost = fulls.reduce((n, d) => n + fullReadCost(d), 0);
  const probeCap = probes.length + fullCost > left ? Math.max(1, Math.floor(left * (1 - VERIFICATION_SHARE))) : probes.length;
  for (const d of probes) {
    if (left >= 1 && planned.size < probeCap) plan(d, 'probe', 1);
    else
      deferred.push({
        ...d.list,
        reason: `a probe costs 1 call, the budget allows ${Math.min(left, probeCap - planned.size)} now`,
      });
  }
  let verificationWaits = false;
  for (const d of fulls) {
    const probe = planned.get(d);
    const cost = fullReadCost(d);
    if (cost <= left) {
      plan(d, probe ? 'verify' : 'full', cost + (probe?.reserved ?? 0));
      left += probe?.reserved ?? 0; // counted once: the verify's reservation includes its probe
    } else if (probe) {
      verificationWaits = true;
    } else {
      deferred.push({ ...d.list, reason: `a full read costs about ${cost} call(s), the budget allows ${left} now` });
    }
  }
  const pool = verificationWaits && Number.isFinite(left) ? Math.floor(left * (1 - VERIFICATION_SHARE)) : left;
  return { lists: due.flatMap((d) => planned.get(d) ?? []), deferred, notDue, pool, allowance };
}
