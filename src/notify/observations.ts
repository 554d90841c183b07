import type { BudgetStatus } from '../budget/budget-status.js';
import type { ListHealthRow } from '../db/sql/notifications.js';
import { listIdentity, type ListRef } from '../lists/list.js';

/**
 * What a run's records say, as states a person is told about when they change. The
 * database's view (sync_lists, the ledger), not this process's: a replica or the next
 * CronJob sees the same states and stays silent once one of them has told.
 */

/** What is watched: a list failing or not, a list stale or not, the budget's forecast per period. */
export type NotificationKind = 'list_health' | 'list_freshness' | 'budget_forecast';

/** The messages; each is the entry into one state of a kind. */
export type NotificationEvent =
  'lists_failing' | 'lists_recovered' | 'allowance_exhausted' | 'lists_stale' | 'budget_forecast_short';

/** A list's part in a message: which list and, when it failed, what the API said. */
export interface ListDetail {
  readonly segmentId: number;
  readonly status: number;
  readonly errorCode: string | null;
  readonly apiErrorId: string | null;
  readonly requestId: string | null;
  readonly runId: bigint | null;
  readonly lastSuccessAt: Date | null;
  /** Seconds since the last success, and the freshness limit, for staleness. */
  readonly ageSeconds?: number;
  readonly limitSeconds?: number;
}

export interface Observation {
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly state: string;
  /** The state before anything was told: a new subject starts there, and entering it needs no message unless `event` says. */
  readonly quiet: string;
  /** The message entering `state` sends; undefined: none (the subject is only re-armed). */
  readonly event: NotificationEvent | undefined;
  readonly list?: ListDetail;
  readonly budget?: BudgetStatus;
}

/** The allowance codes: QuestionPro's per-key allowance (a 429 quota) and our own API_CALL_BUDGET. */
const ALLOWANCE_CODES = new Set(['API_QUOTA_EXHAUSTED', 'API_BUDGET_EXHAUSTED']);
/** Not a list's failure: a shutdown, a budget deferral, a replica holding the list. */
const NOT_FAILURES = new Set(['ABORTED', 'BUDGET_DEFERRED', 'LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE']);

function detail(row: ListHealthRow): ListDetail {
  return {
    segmentId: row.segmentId,
    status: row.status,
    errorCode: row.errorCode,
    apiErrorId: row.apiErrorId,
    requestId: row.requestId,
    runId: row.runId,
    lastSuccessAt: row.lastSuccessAt,
  };
}

/**
 * A list whose last attempt succeeded is ok; one that failed (its own error, or the run's
 * as a whole: a rejected key stops every list) is failing, or `allowance` when the calls
 * ran out. A partial read, a deferral or a shutdown says nothing new: the state stays.
 */
export function listHealthState(row: ListHealthRow): 'ok' | 'failing' | 'allowance' | undefined {
  if (row.lastOutcome === 'succeeded') return 'ok';
  if (!['failed', 'aborted', 'skipped'].includes(row.lastOutcome)) return undefined;
  if (row.errorCode === null || NOT_FAILURES.has(row.errorCode)) return undefined;
  return ALLOWANCE_CODES.has(row.errorCode) ? 'allowance' : 'failing';
}

const HEALTH_EVENTS = { ok: 'lists_recovered', failing: 'lists_failing', allowance: 'allowance_exhausted' } as const;

export interface ObservationInput {
  /** The lists this process syncs: only they are judged. */
  readonly lists: readonly ListRef[];
  readonly health: readonly ListHealthRow[];
  /** A list whose last success is older is stale (plus its status's own interval). */
  readonly staleAfterSeconds: number;
  readonly statusIntervalSeconds?: Readonly<Record<number, number>>;
  /** undefined: no budget, or it could not be read. */
  readonly budget?: BudgetStatus;
}

export function observe(input: ObservationInput): Observation[] {
  const byList = new Map(input.health.map((row) => [listIdentity(row), row]));
  const observations: Observation[] = [];
  for (const list of input.lists) {
    const row = byList.get(listIdentity(list));
    if (!row) continue; // never attempted: nothing to tell yet
    const subject = listIdentity(list);
    const health = listHealthState(row);
    if (health) {
      observations.push({
        kind: 'list_health',
        subject,
        state: health,
        quiet: 'ok',
        event: HEALTH_EVENTS[health],
        list: detail(row),
      });
    }
    // A list never synced is not "stale": its failure is told as such.
    if (row.lastSuccessAt) {
      const ageSeconds = Math.round((row.now.getTime() - row.lastSuccessAt.getTime()) / 1000);
      const limitSeconds = input.staleAfterSeconds + (input.statusIntervalSeconds?.[list.status] ?? 0);
      const stale = ageSeconds > limitSeconds;
      observations.push({
        kind: 'list_freshness',
        subject,
        state: stale ? 'stale' : 'fresh',
        quiet: 'fresh',
        event: stale ? 'lists_stale' : undefined,
        list: { ...detail(row), ageSeconds, limitSeconds },
      });
    }
  }
  const budget = input.budget;
  // Once per period: a forecast that wavers around the budget does not ring each run.
  if (budget?.budget !== undefined && budget.projectedAtPeriodEnd > budget.budget) {
    observations.push({
      kind: 'budget_forecast',
      subject: budget.periodStart.toISOString(),
      state: 'short',
      quiet: 'ok',
      event: 'budget_forecast_short',
      budget,
    });
  }
  return observations;
}
