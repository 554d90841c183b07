import { planRun, type PlanSettings } from '../budget/planner.js';
import { RunAllowance } from '../budget/run-allowance.js';
import type { ListState } from '../db/sql/list-state.js';
import type { CallBudget } from '../questionpro/pages.js';
import { createPrng } from '../sim/prng.js';

/**
 * A month of ticks under a budget, simulated with the service's own planner
 * (budget/planner.ts) and allowance (budget/run-allowance.ts), each list read costed as
 * the sync reads it (sync/list-probe.ts, sync/list-full-read.ts; the costs of each kind
 * of tick are measured against the simulator by `npm run bench -- --cost` and by
 * test/sync/incremental-reads.db.test.ts). Time is simulated: a month runs in a second.
 */
export interface MonthScenario {
  readonly lists: number;
  readonly ticketsPerList: number;
  readonly perPage: number;
  /** API_CALL_BUDGET for the month. */
  readonly budget: number;
  readonly tickMinutes: number;
  readonly days: number;
  /** New tickets per hour over the whole account, each at the head of a random list. */
  readonly arrivalsPerHour: number;
  /** Closures per hour over the whole account, each anywhere in a random list. */
  readonly closuresPerHour: number;
  readonly verifyIntervalSeconds: number;
  readonly seed?: number;
}

export interface MonthResult {
  readonly calls: number;
  readonly budget: number;
  readonly ticks: number;
  /** Minutes from a ticket's arrival (closure) at the source to the run that stored (recorded) it. */
  readonly arrivalMinutes: { readonly max: number; readonly p95: number };
  readonly closureMinutes: { readonly max: number; readonly p95: number };
  /** The longest time any list went without a verification, in hours. */
  readonly maxUnverifiedHours: number;
  readonly verifications: number;
  readonly probes: number;
  readonly fullReads: number;
}

interface ModelList {
  readonly segmentId: number;
  size: number;
  arrivals: number[];
  closures: number[];
  state: ListState;
}

const MINUTE = 60_000;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function simulateMonth(s: MonthScenario): MonthResult {
  const rng = createPrng(s.seed ?? 1, s.lists, s.ticketsPerList);
  const start = Date.UTC(2026, 0, 1);
  const end = start + s.days * 86_400_000;
  const lists: ModelList[] = Array.from({ length: s.lists }, (_, i) => ({
    segmentId: 1_000 + i,
    size: s.ticketsPerList,
    arrivals: [],
    closures: [],
    state: {
      segmentId: 1_000 + i,
      status: 0,
      lastSuccessAt: null,
      lastVerifiedAt: null,
      lastTotalItems: null,
      servedOrder: null,
      servedPerPage: null,
      needsFullRead: false,
      lastFullReadRunId: null,
    },
  }));
  const settings: PlanSettings = { verifyIntervalSeconds: s.verifyIntervalSeconds, statusIntervalSeconds: {}, openStatuses: [0] };
  const arrivalLatency: number[] = [];
  const closureLatency: number[] = [];
  let used = 0;
  let verifications = 0;
  let probes = 0;
  let fullReads = 0;
  let maxUnverifiedMs = 0;
  let ticks = 0;
  const tickMs = s.tickMinutes * MINUTE;
  // The source's changes, at the rates given: each at a random moment, in a random list.
  const events = (perHour: number) =>
    Array.from({ length: Math.round(perHour * s.days * 24) }, () => start + rng.next() * (end - start)).sort((a, b) => a - b);
  const arrivals = events(s.arrivalsPerHour);
  const closures = events(s.closuresPerHour);
  for (let now = start; now < end; now += tickMs) {
    ticks++;
    while (arrivals.length > 0 && arrivals[0]! <= now) lists[rng.int(0, s.lists - 1)]!.arrivals.push(arrivals.shift()!);
    while (closures.length > 0 && closures[0]! <= now) lists[rng.int(0, s.lists - 1)]!.closures.push(closures.shift()!);
    const position = { budget: s.budget, used, periodStart: new Date(start), periodEnd: new Date(end) };
    const refs = lists.map((l) => ({ segmentId: l.segmentId, status: 0, perPage: s.perPage }));
    const plan = planRun(
      refs,
      lists.map((l) => l.state),
      settings,
      new Date(now),
      position,
    );
    const allowance = new RunAllowance(plan.lists, plan.pool);
    for (const planned of plan.lists) {
      const list = lists.find((l) => l.segmentId === planned.segmentId)!;
      const budget = countingBudget(allowance.forList(planned), (n) => (used += n));
      // A verify is a probe, then a full read (sync/list-sync.ts); a probe it cannot explain reads fully too.
      const probed = planned.mode === 'full' ? undefined : probe(list, s.perPage, budget);
      if (probed) probes++;
      let stored = probed !== undefined && probed !== 'deferred';
      let recorded = probed === 'settled';
      if (recorded) recordClosures(list, now, closureLatency);
      if (planned.mode !== 'probe' || probed === 'full') {
        fullReads++;
        const read = fullRead(list, s.perPage, budget);
        stored ||= read !== 'deferred';
        recorded ||= read === 'verified';
        if (read === 'verified') {
          verifications++;
          recordClosures(list, now, closureLatency);
        }
      }
      if (!stored) continue;
      for (const at of list.arrivals) arrivalLatency.push((now - at) / MINUTE);
      list.size += list.arrivals.length;
      list.arrivals = [];
      list.state = {
        ...list.state,
        lastSuccessAt: new Date(now),
        lastVerifiedAt: recorded && planned.mode !== 'probe' ? new Date(now) : list.state.lastVerifiedAt,
        lastTotalItems: list.size - list.closures.length,
      };
    }
    for (const list of lists) {
      const since = list.state.lastVerifiedAt?.getTime() ?? start;
      maxUnverifiedMs = Math.max(maxUnverifiedMs, now - since);
    }
  }
  return {
    calls: used,
    budget: s.budget,
    ticks,
    arrivalMinutes: { max: Math.max(0, ...arrivalLatency), p95: percentile(arrivalLatency, 95) },
    closureMinutes: { max: Math.max(0, ...closureLatency), p95: percentile(closureLatency, 95) },
    maxUnverifiedHours: Math.round((maxUnverifiedMs / 3_600_000) * 10) / 10,
    verifications,
    probes,
    fullReads,
  };
}

function recordClosures(list: ModelList, now: number, latency: number[]): void {
  for (const at of list.closures) latency.push((now - at) / MINUTE);
  list.size -= list.closures.length;
  list.closures = [];
}

function countingBudget(budget: CallBudget, spend: (calls: number) => void): CallBudget {
  return {
    take: (calls) => {
      if (!budget.take(calls)) return false;
      spend(calls);
      return true;
    },
  };
}

/**
 * A probe's calls (sync/list-probe.ts): page 1; the pages that are all new after it;
 * per ticket that left, the pages of a bisection, and page 1 again to confirm, paid at
 * once or not at all (then the new tickets are stored and the closures wait).
 * 'settled', 'new-only' (closures wait), 'full' when a full read costs less than
 * locating the removals, 'deferred' when even the new tickets cannot be read.
 */
function probe(list: ModelList, perPage: number, budget: CallBudget): 'settled' | 'new-only' | 'full' | 'deferred' {
  if (!budget.take(1)) return 'deferred';
  const arrivals = list.arrivals.length;
  const removals = list.closures.length;
  const headPages = arrivals >= perPage ? Math.floor(arrivals / perPage) : 0;
  if (headPages > 0 && !budget.take(headPages)) return 'deferred';
  if (removals === 0) return 'settled';
  const pages = Math.max(1, Math.ceil((list.size + arrivals - removals) / perPage));
  const bisection = Math.ceil(Math.log2(pages));
  if (removals * (bisection + 1) >= pages) return 'full';
  return budget.take(removals * bisection + 1) ? 'settled' : 'new-only';
}

/**
 * A full read's calls (sync/list-full-read.ts): every page (a known size paid at once, a
 * first read's page 1 first); a second pass when tickets left, then verified.
 */
function fullRead(list: ModelList, perPage: number, budget: CallBudget): 'verified' | 'read' | 'deferred' {
  const pages = Math.max(1, Math.ceil((list.size + list.arrivals.length - list.closures.length) / perPage));
  const first = list.state.lastTotalItems === null;
  const paid = first ? budget.take(1) && (pages === 1 || budget.take(pages - 1)) : budget.take(pages);
  if (!paid) {
    // A first read stopped after page 1 has learnt the list's size: the next plan reserves it whole.
    list.state = { ...list.state, needsFullRead: true, lastTotalItems: list.state.lastTotalItems ?? list.size };
    return 'deferred';
  }
  list.state = {
    ...list.state,
    servedOrder: 'newest_first',
    servedPerPage: perPage,
    lastFullReadRunId: 1n,
    needsFullRead: false,
  };
  if (list.closures.length === 0 || first) return 'verified';
  if (budget.take(pages)) return 'verified';
  list.state = { ...list.state, needsFullRead: true };
  return 'read';
}
