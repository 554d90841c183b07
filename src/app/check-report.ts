import {
  LICENCE_ALLOWANCES,
  budgetPerMonth,
  monthCost,
  type CostAssumptions,
  type CostSchedule,
  type CostedList,
  type MonthCost,
} from '../budget/month-cost.js';
import { LONGEST_TICK_MINUTES, costEvery, leastIntervalThatFits, type ScheduleFit } from '../budget/schedule-fit.js';
import type { CheckConfig } from '../config/command-configs.js';
import { defaultStatusLabel } from '../db/sql/reporting.js';
import type { ListState } from '../db/sql/list-state.js';
import { listIdentity } from '../lists/list.js';
import type { CheckStop, ListCounts, ListProblem } from './check-lists.js';

/** What `npm run check` found and computed: printed for people (check-text.ts) or as JSON (`--json`). */
export interface CheckReport {
  readonly api: {
    /** The host asked (the base URL's host: never its credentials). */
    readonly host: string;
    /** "QUESTIONPRO_ENV=com" or "QUESTIONPRO_BASE_URL". */
    readonly addressFrom: string;
    readonly key: ListCounts['key'];
  };
  /** Calls the check spent, retries included. */
  readonly calls: number;
  /** The calls went through the call ledger of DATABASE_URL's database (budgets count them). */
  readonly callsRecorded: boolean;
  readonly stop: CheckStop | undefined;
  readonly lists: readonly CheckedList[];
  readonly schedule: {
    readonly cron: string;
    readonly timezone: string;
    readonly ticksPerMonth: number;
    readonly verifyIntervalSeconds: number;
    readonly statusIntervalSeconds: Readonly<Record<number, number>>;
  };
  /** Over the lists that answered; undefined when none did. */
  readonly cost: (MonthCost & { readonly assumptions: CostAssumptions; readonly lists: number }) | undefined;
  readonly budget: (Fit & { readonly period: 'day' | 'month'; readonly perPeriod: number }) | undefined;
  readonly allowances: ReadonlyArray<Fit & { readonly licence: string }>;
  /** The shortest schedule that fits API_CALL_BUDGET, or each allowance when no budget is set. */
  readonly suggestions: readonly Suggestion[];
  /** 0 checked; 2 the configuration needs fixing (the key, the datacenter, a segment); 1 anything else failed. */
  readonly exitCode: 0 | 1 | 2;
}

export interface CheckedList {
  readonly segmentId: number;
  /** SYNC_SEGMENT_NAMES, when named. */
  readonly segmentName: string | undefined;
  readonly status: number;
  readonly statusLabel: string;
  readonly tickets: number | undefined;
  /** The page size the cost assumes: what the server served this list at its last read, else SYNC_PAGE_SIZE. */
  readonly perPage: number;
  /** No read of the list told how many tickets the server serves a page: SYNC_PAGE_SIZE assumed. */
  readonly perPageAssumed: boolean;
  /** Calls of one full read; undefined when the list did not answer. */
  readonly pages: number | undefined;
  readonly calls: number;
  readonly problem: ListProblem | undefined;
}

export interface Fit {
  /** Calls a month may spend. */
  readonly calls: number;
  /** The first month of the configured schedule fits in it. */
  readonly fits: boolean;
  /** Calls left in the first month (negative: over). */
  readonly spare: number;
}

export interface Suggestion {
  /** "API_CALL_BUDGET" or a licence's name. */
  readonly target: string;
  readonly calls: number;
  /** undefined: not even a tick a day fits. */
  readonly fit: ScheduleFit | undefined;
  /** The month of the longest interval suggested (a tick a day): what no schedule gets below. */
  readonly cheapest: MonthCost;
}

export interface CheckFacts {
  readonly counts: ListCounts;
  /** sync_lists, when a database holds earlier reads: the page size each list was served at. */
  readonly states: readonly ListState[];
  readonly ticksPerMonth: number;
  readonly callsRecorded: boolean;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function exitCodeOf(counts: ListCounts): CheckReport['exitCode'] {
  const configuration = counts.lists.some((l) => l.problem?.kind === 'unknown-segment' || l.problem?.kind === 'forbidden');
  if (counts.stop?.kind === 'key' || configuration) return 2;
  return counts.stop || counts.lists.some((l) => l.problem !== undefined) ? 1 : 0;
}

const fitOf = (calls: number, cost: MonthCost): Fit => ({
  calls,
  fits: cost.firstMonth <= calls,
  spare: calls - cost.firstMonth,
});

/** The report from the answers of the API, the database's earlier reads and the schedule. */
export function checkReport(config: CheckConfig, facts: CheckFacts, assumptions: CostAssumptions): CheckReport {
  const served = new Map(facts.states.map((s) => [listIdentity(s), s.servedPerPage]));
  const lists: CheckedList[] = facts.counts.lists.map((l) => {
    const servedPerPage = served.get(listIdentity(l)) ?? null;
    const perPage = Math.min(config.questionpro.pageSize, servedPerPage ?? config.questionpro.pageSize);
    return {
      segmentId: l.segmentId,
      segmentName: config.reporting.segmentNames.get(l.segmentId),
      status: l.status,
      statusLabel: config.reporting.statusLabels.get(l.status) ?? defaultStatusLabel(l.status),
      tickets: l.tickets,
      perPage,
      perPageAssumed: servedPerPage === null,
      pages: l.tickets === undefined ? undefined : Math.max(1, Math.ceil(l.tickets / perPage)),
      calls: l.calls,
      problem: l.problem,
    };
  });
  const costed: CostedList[] = lists.flatMap((l) =>
    l.tickets === undefined || l.pages === undefined ? [] : [{ status: l.status, tickets: l.tickets, pages: l.pages }],
  );
  const settings: Omit<CostSchedule, 'ticksPerMonth'> = {
    verifyIntervalSeconds: config.sync.verifyIntervalSeconds,
    statusIntervalSeconds: config.sync.statusIntervalSeconds,
  };
  const monthly = config.budget.calls === undefined ? undefined : budgetPerMonth(config.budget.calls, config.budget.period);
  const cost =
    costed.length === 0
      ? undefined
      : monthCost(costed, { ...settings, ticksPerMonth: facts.ticksPerMonth }, assumptions, monthly);
  const targets =
    monthly === undefined
      ? LICENCE_ALLOWANCES.map((a) => ({ target: a.licence, calls: a.calls }))
      : [{ target: 'API_CALL_BUDGET', calls: monthly }];
  return {
    api: { host: hostOf(config.questionpro.baseUrl), addressFrom: config.apiAddressFrom, key: facts.counts.key },
    calls: facts.counts.calls,
    callsRecorded: facts.callsRecorded,
    stop: facts.counts.stop,
    lists,
    schedule: {
      cron: config.schedule.cron,
      timezone: config.schedule.timezone,
      ticksPerMonth: facts.ticksPerMonth,
      ...settings,
    },
    cost: cost && { ...cost, assumptions, lists: costed.length },
    budget:
      cost && monthly !== undefined
        ? { ...fitOf(monthly, cost), period: config.budget.period, perPeriod: config.budget.calls! }
        : undefined,
    allowances: cost ? LICENCE_ALLOWANCES.map((a) => ({ licence: a.licence, ...fitOf(a.calls, cost) })) : [],
    suggestions: cost
      ? targets.map((t) => ({
          ...t,
          fit: leastIntervalThatFits(costed, settings, assumptions, t.calls, monthly),
          cheapest: costEvery(LONGEST_TICK_MINUTES, costed, settings, assumptions, monthly),
        }))
      : [],
    exitCode: exitCodeOf(facts.counts),
  };
}
