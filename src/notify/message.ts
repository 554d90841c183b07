import type { BudgetStatus } from '../budget/budget-status.js';
import { namedListParts, type ListNames } from '../lists/list.js';
import type { ListDetail, NotificationEvent } from './observations.js';

/** What a message calls segments and statuses: SYNC_SEGMENT_NAMES and SYNC_STATUS_LABELS. */
export type { ListNames } from '../lists/list.js';

/** The lists a message names in its text; the body's `lists` holds every one. */
const LISTS_IN_TEXT = 10;

/** What to do, per error code: the sentence a person acts on. */
const ADVICE: Readonly<Record<string, string>> = {
  API_UNAUTHORIZED: 'QuestionPro rejected the API key: check QUESTIONPRO_API_KEY (and QUESTIONPRO_ENV) and restart',
  API_FORBIDDEN: 'the API key may not read this segment: check its permissions in QuestionPro',
  API_NOT_FOUND: 'QuestionPro does not know this segment: check SYNC_SEGMENTS',
  API_BAD_REQUEST: 'QuestionPro refused the request: check SYNC_SEGMENTS, SYNC_STATUSES and SYNC_PAGE_SIZE',
  API_QUOTA_EXHAUSTED:
    "QuestionPro's call allowance for the API key is used up: syncing resumes when it renews; ask QuestionPro for more or sync less often (SYNC_CRON, SYNC_STATUS_INTERVALS)",
  API_BUDGET_EXHAUSTED:
    'API_CALL_BUDGET for this period is spent: syncing resumes with the next period; raise it or sync less often (SYNC_CRON, SYNC_STATUS_INTERVALS)',
  API_TIMEOUT: 'QuestionPro did not answer in time, retries included: check its status; HTTP_TIMEOUT_MS',
  API_NETWORK: 'QuestionPro could not be reached, retries included: check the network, proxy and DNS',
  DB_UNAVAILABLE: 'the database could not be reached: check DATABASE_URL and the server',
  DB_WRITE_FAILED: 'the database refused a write: see the logs',
};
const DEFAULT_ADVICE = 'see `npm run status` and the logs';

/** "Retail EU (101) open (0)"; unnamed: "segment 101 status 3" (status 0 is "open", as in the views). */
export function listName(list: Pick<ListDetail, 'segmentId' | 'status'>, names: ListNames): string {
  const open = list.status === 0 && !names.statusLabels.has(0) ? { statusLabels: new Map([[0, 'open']]) } : {};
  const { segment, status } = namedListParts(list, { ...names, ...open });
  return `${segment} ${status}`;
}

function namesOf(lists: readonly ListDetail[], names: ListNames, withCode: boolean): string {
  const shown = lists
    .slice(0, LISTS_IN_TEXT)
    .map((l) => listName(l, names) + (withCode && l.errorCode ? ` [${l.errorCode}]` : ''))
    .join(', ');
  return lists.length > LISTS_IN_TEXT ? `${shown} and ${lists.length - LISTS_IN_TEXT} more` : shown;
}

function countOf(n: number): string {
  return n === 1 ? '1 list' : `${n} lists`;
}

/** "3 h 5 min", "45 min", "2 d 4 h": an age a person reads at a glance. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${Math.floor(hours / 24)} d`;
}

/** The failure's code and what to do, with the API's references when it gave them. */
function failureText(first: ListDetail): string {
  const code = first.errorCode ?? 'INTERNAL';
  const refs = [first.requestId ? `requestID ${first.requestId}` : '', first.apiErrorId ? `API error id ${first.apiErrorId}` : '']
    .filter((r) => r !== '')
    .join(', ');
  return `${code}: ${ADVICE[code] ?? DEFAULT_ADVICE}.${refs ? ` (${refs})` : ''}`;
}

function listText(event: NotificationEvent, lists: readonly ListDetail[], names: ListNames): string {
  const sameCode = lists.every((l) => l.errorCode === lists[0]?.errorCode);
  const first = lists[0]!;
  switch (event) {
    case 'lists_failing':
      return `detractor-sync: ${countOf(lists.length)} failing: ${namesOf(lists, names, !sameCode)}. ${
        sameCode ? failureText(first) : `${DEFAULT_ADVICE}.`
      }`;
    case 'allowance_exhausted':
      return `detractor-sync: API calls used up, ${countOf(lists.length)} not syncing: ${namesOf(lists, names, false)}. ${failureText(first)}`;
    case 'lists_recovered':
      return `detractor-sync: ${countOf(lists.length)} syncing again: ${namesOf(lists, names, false)}.`;
    case 'lists_stale': {
      const oldest = Math.max(...lists.map((l) => l.ageSeconds ?? 0));
      const limit = Math.min(...lists.map((l) => l.limitSeconds ?? 0));
      return `detractor-sync: no successful sync for ${duration(oldest)} (limit ${duration(limit)}): ${namesOf(lists, names, true)}. Its data is getting old: ${DEFAULT_ADVICE}.`;
    }
    default:
      return `detractor-sync: ${event}: ${namesOf(lists, names, true)}.`;
  }
}

function budgetText(budget: BudgetStatus): string {
  return `detractor-sync: the API call budget runs out before the ${budget.period} ends: ${budget.projectedAtPeriodEnd} calls projected by ${budget.periodEnd.toISOString()} for a budget of ${budget.budget} (${budget.used} used, ${budget.pacePerHour} an hour). Lists will be deferred: raise API_CALL_BUDGET or sync less often (SYNC_CRON, SYNC_STATUS_INTERVALS).`;
}

/** The JSON a webhook gets: `text` for Slack and Mattermost as they are, the same facts as fields for anything else. */
export interface NotificationBody {
  readonly text: string;
  readonly event: NotificationEvent;
  readonly service: 'detractor-sync';
  readonly time: string;
  /** The run the message follows (the latest of its lists'); null for the budget. */
  readonly runId: string | null;
  readonly errorCode: string | null;
  readonly apiErrorId: string | null;
  readonly requestId: string | null;
  readonly lists: ReadonlyArray<{
    readonly segmentId: number;
    readonly segmentName: string | null;
    readonly status: number;
    readonly statusLabel: string | null;
    readonly name: string;
    readonly errorCode: string | null;
    readonly apiErrorId: string | null;
    readonly requestId: string | null;
    readonly lastSuccessAt: string | null;
    readonly ageSeconds?: number;
    readonly limitSeconds?: number;
  }>;
  readonly budget?: {
    readonly budget: number | undefined;
    readonly used: number;
    readonly projectedAtPeriodEnd: number;
    readonly period: 'day' | 'month';
    readonly periodStart: string;
    readonly periodEnd: string;
  };
}

export function buildMessage(
  event: NotificationEvent,
  details: { readonly lists?: readonly ListDetail[]; readonly budget?: BudgetStatus },
  names: ListNames,
  now: Date,
): NotificationBody {
  const lists = details.lists ?? [];
  const first = lists[0];
  const runIds = lists.map((l) => l.runId).filter((id): id is bigint => id !== null);
  const runId = runIds.length ? runIds.reduce((a, b) => (b > a ? b : a)).toString() : null;
  const withError = event === 'lists_failing' || event === 'allowance_exhausted';
  return {
    text: details.budget && !first ? budgetText(details.budget) : listText(event, lists, names),
    event,
    service: 'detractor-sync',
    time: now.toISOString(),
    runId,
    errorCode: withError ? (first?.errorCode ?? null) : null,
    apiErrorId: withError ? (first?.apiErrorId ?? null) : null,
    requestId: withError ? (first?.requestId ?? null) : null,
    lists: lists.map((l) => ({
      segmentId: l.segmentId,
      segmentName: names.segmentNames.get(l.segmentId) ?? null,
      status: l.status,
      statusLabel: names.statusLabels.get(l.status) ?? (l.status === 0 ? 'open' : null),
      name: listName(l, names),
      errorCode: l.errorCode,
      apiErrorId: l.apiErrorId,
      requestId: l.requestId,
      lastSuccessAt: l.lastSuccessAt?.toISOString() ?? null,
      ...(l.ageSeconds !== undefined ? { ageSeconds: l.ageSeconds, limitSeconds: l.limitSeconds } : {}),
    })),
    ...(details.budget
      ? {
          budget: {
            budget: details.budget.budget,
            used: details.budget.used,
            projectedAtPeriodEnd: details.budget.projectedAtPeriodEnd,
            period: details.budget.period,
            periodStart: details.budget.periodStart.toISOString(),
            periodEnd: details.budget.periodEnd.toISOString(),
          },
        }
      : {}),
  };
}
