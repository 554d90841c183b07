import { verifySpacingWithin } from './planner.js';

/**
 * What a month of the worker's schedule costs in API calls, as a formula: the cost model
 * of docs/api-cost.md, which `npm run bench -- --cost` measures at the simulator and
 * bench/month-model.ts simulates with the planner itself
 * (test/budget/month-cost.unit.test.ts holds the two together). For `npm run check`,
 * before the first sync spends anything. Every list is assumed served newest first (as
 * the vendor's example), so a tick probes it with one call; a list served otherwise is
 * read fully at every tick.
 */

/** A month, as the cost model counts it: 30 days. */
export const MONTH_SECONDS = 30 * 86_400;

export interface CostedList {
  readonly status: number;
  readonly tickets: number;
  /** Calls of one full read: pages at the page size served, at least 1 (an empty list's page 1). */
  readonly pages: number;
}

export interface CostSchedule {
  /** Worker ticks in a month (SYNC_CRON in SYNC_TIMEZONE). */
  readonly ticksPerMonth: number;
  /** SYNC_VERIFY_INTERVAL; 0: every read verifies. */
  readonly verifyIntervalSeconds: number;
  /** SYNC_STATUS_INTERVALS: per status, the least seconds between two reads of its lists. */
  readonly statusIntervalSeconds: Readonly<Record<number, number>>;
}

export interface CostAssumptions {
  /**
   * Tickets leaving their list per day over the account (closed, or moved to another
   * status), spread over the lists in proportion to their tickets. Arrivals are assumed
   * fewer than a page per list per tick: they come with the probe's page 1, at no cost.
   */
  readonly closuresPerDay: number;
}

export interface MonthCost {
  /** One call per list per read: every tick, or as often as SYNC_STATUS_INTERVALS allows. */
  readonly probes: number;
  /** A full read of each list (its pages) every verification interval, on top of that tick's probe. */
  readonly verifications: number;
  /** Locating closures: ⌈log2 pages⌉ + 1 calls each beyond the probe; a read that finds many pays at most a full read. */
  readonly closures: number;
  /** A month once every list has been read: probes + verifications + closures. */
  readonly month: number;
  /** One full read of every list, once. */
  readonly firstSync: number;
  /** The first month: month + firstSync. */
  readonly firstMonth: number;
  /** Seconds between two verifications of a list: SYNC_VERIFY_INTERVAL, or longer when the budget caps them. */
  readonly verifyEverySeconds: number;
}

/** How often a list's reads come: at a tick, once `interval` has passed since the last. */
function readsPerMonth(ticksPerMonth: number, intervalSeconds: number | undefined): number {
  if (ticksPerMonth <= 0) return 0;
  const tickSeconds = MONTH_SECONDS / ticksPerMonth;
  // A tiny slack: 6 h over 15-minute ticks is 24 ticks, not 25 because of rounding.
  const ticksApart = intervalSeconds === undefined ? 1 : Math.max(1, Math.ceil(intervalSeconds / tickSeconds - 1e-9));
  return ticksPerMonth / ticksApart;
}

/** Calls beyond a probe to locate one closure: a bisection over the pages, page 1 again; never more than a full read. */
export function closureCalls(pages: number): number {
  return Math.min(Math.ceil(Math.log2(Math.max(1, pages))) + 1, Math.max(1, pages));
}

/**
 * A month of `schedule` over `lists`, in calls. With `budgetPerMonth` (API_CALL_BUDGET
 * as a month), verifications are capped as the planner caps them: at most a quarter of
 * the budget, SYNC_VERIFY_INTERVAL stretched to what that pays for.
 */
export function monthCost(
  lists: readonly CostedList[],
  schedule: CostSchedule,
  assumptions: CostAssumptions,
  budgetPerMonth?: number,
): MonthCost {
  const allPages = lists.reduce((n, l) => n + l.pages, 0);
  const tickets = lists.reduce((n, l) => n + l.tickets, 0);
  const cap = budgetPerMonth === undefined ? 0 : verifySpacingWithin(allPages, budgetPerMonth, MONTH_SECONDS);
  const verifyEverySeconds = Math.max(schedule.verifyIntervalSeconds, cap);
  const closuresPerMonth = assumptions.closuresPerDay * 30;
  let probes = 0;
  let verifications = 0;
  let closures = 0;
  for (const list of lists) {
    const reads = readsPerMonth(schedule.ticksPerMonth, schedule.statusIntervalSeconds[list.status]);
    const readSeconds = reads > 0 ? MONTH_SECONDS / reads : Number.POSITIVE_INFINITY;
    // A verification rides on a read: the first one after the interval has passed.
    const verifies = verifyEverySeconds === 0 ? reads : reads / Math.max(1, Math.ceil(verifyEverySeconds / readSeconds - 1e-9));
    probes += reads;
    verifications += verifies * list.pages;
    // Closures found per read; when locating them one by one costs more than reading the
    // list, the probe reads it fully instead (sync/list-probe.ts, bench/month-model.ts).
    const perRead = reads > 0 && tickets > 0 ? (closuresPerMonth * list.tickets) / tickets / reads : 0;
    closures += reads * Math.min(perRead * closureCalls(list.pages), list.pages);
  }
  const month = Math.round(probes) + Math.round(verifications) + Math.round(closures);
  return {
    probes: Math.round(probes),
    verifications: Math.round(verifications),
    closures: Math.round(closures),
    month,
    firstSync: allPages,
    firstMonth: month + allPages,
    verifyEverySeconds,
  };
}

/** API_CALL_BUDGET as calls per month (a daily budget, 30 days of it). */
export function budgetPerMonth(calls: number, period: 'day' | 'month'): number {
  return period === 'day' ? calls * 30 : calls;
}

/**
 * QuestionPro's licence allowances (its limits page), shared by every integration of the
 * organisation; trial licences have 500. Whether they renew monthly is not published.
 */
export const LICENCE_ALLOWANCES = [
  { licence: 'Advanced', calls: 5_000 },
  { licence: 'Team Edition, University Site License', calls: 10_000 },
  { licence: 'Customer Experience, Research Edition, Communities, Workforce', calls: 20_000 },
] as const;
