import { readBudgetStatus, type BudgetStatus } from '../budget/budget-status.js';
import { keyFingerprint, type BudgetPeriod } from '../budget/call-ledger.js';
import type { Db } from '../db/prisma.js';
import { callsPerDay, lastCallingFingerprint, type CallsPerDayRow } from '../db/sql/ledger.js';
import {
  listHealth,
  openTicketsPerSegment,
  recentRuns,
  type ListRow,
  type RunRow,
  type SegmentTicketsRow,
} from '../db/sql/status.js';

export type { CallsPerDayRow } from '../db/sql/ledger.js';
export type { ListRow, RunRow, SegmentTicketsRow } from '../db/sql/status.js';

/**
 * What an operator asks first: the last runs, each list's freshness and last error, the
 * open and overdue detractors per segment, and the API calls of the budget period. One
 * set of queries, read by `npm run status` and by the worker's page, so both always
 * tell the same story. Counts and sync state, no ticket's fields (an error message may
 * quote an API answer: the page, which has no login, withholds that, see page-safety.ts).
 */
export interface StatusReport {
  readonly runs: readonly RunRow[];
  readonly lists: readonly ListRow[];
  readonly openTickets: readonly SegmentTicketsRow[];
  /**
   * The API calls of one API key (the configured one, else the one that made the last
   * call), counted for every process sharing the database: the budget is per key.
   * Undefined when no API call was ever recorded for the key.
   */
  readonly apiBudget:
    | (BudgetStatus & {
        readonly keyFingerprint: string;
        readonly callsPerDay: readonly CallsPerDayRow[];
        /** The time zone (SYNC_TIMEZONE) of callsPerDay's days and of the period's boundaries. */
        readonly timezone: string;
      })
    | undefined;
}

export interface StatusOptions {
  readonly runs: number;
  /** The API key, to find its calls; without it, the key that made the last call. */
  readonly apiKey: string | undefined;
  readonly budget: number | undefined;
  readonly period: BudgetPeriod;
  /** False when the role may not read the ledger (a --no-pii role made before it was granted): no apiBudget. */
  readonly withApiBudget?: boolean;
}

/** How the lists stand, failing and skipped counted apart: "1 failing, 5 skipped of 6". */
export function listsSummary(lists: StatusReport['lists']): {
  readonly failing: number;
  readonly skipped: number;
  readonly text: string;
} {
  // A skipped list was not tried (the budget deferred it, or the run stopped before it): not a failure of its own.
  const skipped = lists.filter((l) => l.last_outcome === 'skipped').length;
  const failing = lists.filter((l) => l.last_outcome !== 'succeeded' && l.last_outcome !== 'skipped').length;
  const text = `${failing} failing${skipped > 0 ? `, ${skipped} skipped` : ''} of ${lists.length}`;
  return { failing, skipped, text };
}

/** Days of API calls shown: two weeks show a weekly rhythm and fit a chart. */
export const CALL_DAYS = 14;

export async function readStatusReport(db: Db, options: StatusOptions): Promise<StatusReport> {
  const runs = await recentRuns(db, options.runs);
  const lists = await listHealth(db);
  const openTickets = await openTicketsPerSegment(db);
  if (options.withApiBudget === false) return { runs, lists, openTickets, apiBudget: undefined };
  const fingerprint = options.apiKey ? keyFingerprint(options.apiKey) : await lastCallingFingerprint(db);
  const apiBudget =
    fingerprint === undefined
      ? undefined
      : {
          keyFingerprint: fingerprint,
          ...(await readBudgetStatus(db, fingerprint, options.budget, options.period)),
          callsPerDay: await callsPerDay(db, fingerprint, options.period.timezone, CALL_DAYS),
          timezone: options.period.timezone,
        };
  return { runs, lists, openTickets, apiBudget };
}
