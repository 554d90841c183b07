import { listIdentity, type ListId } from '../lists/list.js';
import type { CallBudget } from '../questionpro/pages.js';
import type { PlannedList } from './planner.js';

/**
 * What a run may spend, as the plan divided it: each list's reservation, then a pool
 * shared by all (a bisection, a confirming pass, the pages of a list whose size a first
 * read just learnt). A list draws on its own reservation first. Without a budget, every
 * call is granted.
 */
export class RunAllowance {
  private pool: number;
  private readonly reserved = new Map<string, number>();

  constructor(lists: readonly PlannedList[], pool: number) {
    this.pool = pool;
    for (const list of lists) this.reserved.set(listIdentity(list), list.reserved);
  }

  static readonly unlimited = (): RunAllowance => new RunAllowance([], Number.POSITIVE_INFINITY);

  /** The calls one list may spend: its reservation, then the pool. A refusal takes nothing. */
  forList(list: ListId): CallBudget {
    const key = listIdentity(list);
    return {
      take: (calls) => {
        const own = this.reserved.get(key) ?? 0;
        if (calls > own + this.pool) return false;
        const fromOwn = Math.min(own, calls);
        this.reserved.set(key, own - fromOwn);
        this.pool -= calls - fromOwn;
        return true;
      },
    };
  }
}
