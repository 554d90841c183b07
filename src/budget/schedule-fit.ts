import {
  MONTH_SECONDS,
  monthCost,
  type CostAssumptions,
  type CostSchedule,
  type CostedList,
  type MonthCost,
} from './month-cost.js';

/**
 * The schedule to suggest when the configured one costs more than a budget or an
 * allowance: the shortest tick interval whose month fits. Only intervals a cron
 * expression keeps exactly (minutes dividing an hour, hours dividing a day), so the
 * suggestion is one line to paste into SYNC_CRON.
 */
export const TICK_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440] as const;

/** The longest interval suggested: a tick a day. */
export const LONGEST_TICK_MINUTES = 1440;

/** SYNC_CRON for a tick every `minutes` (one of TICK_MINUTES). */
export function cronEvery(minutes: number): string {
  if (minutes === 1) return '* * * * *';
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return '0 * * * *';
  if (minutes < 1440) return `0 */${minutes / 60} * * *`;
  return '0 0 * * *';
}

/** "15 minutes", "1 hour", "6 hours", "1 day". */
export function describeMinutes(minutes: number): string {
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  if (minutes < 1440) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
}

export interface ScheduleFit {
  readonly everyMinutes: number;
  readonly cron: string;
  readonly cost: MonthCost;
  /** Calls left over in the first month, for the organisation's other integrations. */
  readonly spare: number;
}

/**
 * The shortest tick interval whose first month (the first sync included) costs at most
 * `target` calls; undefined when not even a tick a day fits (the verifications or the
 * first sync alone are too much: a larger page size, a longer SYNC_VERIFY_INTERVAL or
 * fewer lists is the remedy). `budgetPerMonth` caps the verifications as the planner does.
 */
export function leastIntervalThatFits(
  lists: readonly CostedList[],
  settings: Omit<CostSchedule, 'ticksPerMonth'>,
  assumptions: CostAssumptions,
  target: number,
  budgetPerMonth?: number,
): ScheduleFit | undefined {
  for (const everyMinutes of TICK_MINUTES) {
    const cost = costEvery(everyMinutes, lists, settings, assumptions, budgetPerMonth);
    if (cost.firstMonth <= target) return { everyMinutes, cron: cronEvery(everyMinutes), cost, spare: target - cost.firstMonth };
  }
  return undefined;
}

/** The month of a tick every `minutes`. */
export function costEvery(
  minutes: number,
  lists: readonly CostedList[],
  settings: Omit<CostSchedule, 'ticksPerMonth'>,
  assumptions: CostAssumptions,
  budgetPerMonth?: number,
): MonthCost {
  return monthCost(lists, { ...settings, ticksPerMonth: MONTH_SECONDS / 60 / minutes }, assumptions, budgetPerMonth);
}
