import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { AbortedError, SyncError, oneLineMessage, type ErrorCode } from '../errors.js';
import { emptyCounts } from '../lists/counts.js';
import type { ListId } from '../lists/list.js';
import { ApiError } from '../questionpro/api-error.js';
import { fetchNumberedPage, type PageSource } from '../questionpro/pages.js';
import type { RunObserver } from '../sync/run-observer.js';

/**
 * The calls of `npm run check`: page 1 of every configured list at one ticket a page,
 * which answers with the list's size (`totalItems`) and costs one call (plus the
 * client's retries of a transient failure: calls too, counted). Lists are asked one at a
 * time until one answer shows the key is accepted (a wrong key costs one 401, not one per
 * list), then the rest concurrently. A rejected key or the allowance used up stops the
 * check at once; an unknown segment is that list's problem and the others go on.
 */

/** Why a list has no count. */
export type ListProblemKind =
  /** 404, or a 400 whose message names the segment: not a segment of this account. */
  | 'unknown-segment'
  /** 403 once another list showed the key is good: the key may not read this segment. */
  | 'forbidden'
  /** Anything else, after the client's retries (5xx, network, an answer of the wrong shape). */
  | 'failed'
  /** Not asked: the check stopped first. */
  | 'not-checked';

export interface ListProblem {
  readonly kind: ListProblemKind;
  readonly code: ErrorCode;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly message: string;
}

export interface ListCount extends ListId {
  /** totalItems of page 1; undefined when the list did not answer. */
  readonly tickets: number | undefined;
  /** Calls the list took, retries included. */
  readonly calls: number;
  readonly problem: ListProblem | undefined;
}

/** Why the check stopped before every list was asked. */
export interface CheckStop {
  /** 'key': 401, or 403 before any answer showed the key good; 'unreachable': the API could not be reached. */
  readonly kind: 'key' | 'unreachable' | 'fatal';
  readonly code: ErrorCode;
  readonly httpStatus: number | undefined;
  readonly requestId: string | undefined;
  readonly message: string;
}

export interface ListCounts {
  /** 'accepted' once any answer came from behind the key check (200, or a 404 for a segment). */
  readonly key: 'accepted' | 'rejected' | 'unverified';
  readonly lists: readonly ListCount[];
  readonly stop: CheckStop | undefined;
  readonly calls: number;
}

const SEGMENT_WORD = /segment/i;
/** The allowance used up, in whatever status it comes (QuestionPro's error-codes page lists id 1013 as a 403). */
const QUOTA_WORDS = /call limit|allowance|quota/i;

function problemOf(kind: ListProblemKind, error: unknown): ListProblem {
  const sync = error instanceof SyncError ? error : undefined;
  return {
    kind,
    code: sync?.code ?? 'INTERNAL',
    httpStatus: error instanceof ApiError ? error.httpStatus : undefined,
    requestId: sync?.requestId,
    message: oneLineMessage(error, 500),
  };
}

/** Whether a list's failure ends the whole check, and as what. */
function stopKind(error: unknown, keyAccepted: boolean): CheckStop['kind'] | undefined {
  if (!(error instanceof SyncError)) return 'fatal'; // not the API's answer: e.g. the call ledger's database
  const status = error instanceof ApiError ? error.httpStatus : undefined;
  if (error instanceof ApiError && QUOTA_WORDS.test(error.apiMessage ?? '')) return 'fatal';
  if (status === 401 || status === 403) return 'key';
  if (error instanceof ApiError && (error.kind === 'network' || error.kind === 'timeout') && !keyAccepted) return 'unreachable';
  return error.fatal ? 'fatal' : undefined; // the allowance used up, API_CALL_BUDGET spent
}

export async function countLists(
  source: PageSource,
  lists: readonly ListId[],
  options: {
    readonly concurrency: number;
    readonly log: Logger;
    /** Told of each list asked and answered (a terminal's progress display): one page each, of one. */
    readonly observer?: RunObserver;
  },
): Promise<ListCounts> {
  const { observer } = options;
  const ended = (list: ListId, outcome: 'succeeded' | 'failed') =>
    observer?.onListEnd?.({ ...list, outcome, counts: emptyCounts(), finishedAt: new Date() });
  const results = new Map<ListId, ListCount>();
  let keyAccepted = false;
  let stop: CheckStop | undefined;
  const stopper = new AbortController();

  const countOne = async (list: ListId): Promise<void> => {
    if (stop) return;
    const log = options.log.child({ segmentId: list.segmentId, ticketStatus: list.status });
    observer?.onListPhase?.({ ...list, phase: 'reading' });
    try {
      const page = await fetchNumberedPage(source, { ...list, perPage: 1 }, 1, { signal: stopper.signal, log });
      keyAccepted = true;
      const tickets = page.pagination.totalItems;
      results.set(list, { ...list, tickets, calls: page.attempts, problem: undefined });
      // The check reads page 1 of each list and nothing more: one page of one, its tickets the list's size.
      observer?.onPage?.({ ...list, page: 1, totalPages: 1, totalItems: tickets, items: tickets, calls: page.attempts });
      ended(list, 'succeeded');
    } catch (error) {
      const calls = error instanceof SyncError ? error.callsSpent : 0;
      ended(list, 'failed');
      const record = (problem: ListProblem): void => void results.set(list, { ...list, tickets: undefined, calls, problem });
      const status = error instanceof ApiError ? error.httpStatus : undefined;
      if (error instanceof AbortedError && stop) return record(problemOf('not-checked', error));
      if (status === 404 || (status === 400 && SEGMENT_WORD.test(error instanceof ApiError ? (error.apiMessage ?? '') : ''))) {
        keyAccepted = true; // the API looked for the segment: the key got past its check
        return record(problemOf('unknown-segment', error));
      }
      const quota = error instanceof ApiError && QUOTA_WORDS.test(error.apiMessage ?? '');
      if (status === 403 && keyAccepted && !quota) return record(problemOf('forbidden', error));
      if (status === 200) keyAccepted = true; // an answer of the wrong shape: the key was fine
      const fatal = stopKind(error, keyAccepted);
      record(problemOf('failed', error));
      if (fatal && !stop) {
        const { code, httpStatus, requestId, message } = problemOf('failed', error);
        stop = { kind: fatal, code, httpStatus, requestId, message };
        stopper.abort(error);
      }
    }
  };

  // One at a time until the key is known good: a wrong key (or datacenter) costs one call.
  let next = 0;
  while (next < lists.length && !keyAccepted && !stop) await countOne(lists[next++]!);
  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(lists.slice(next).map((list) => limit(() => countOne(list))));

  const notAsked = new AbortedError('not asked: the check stopped first');
  const counted = lists.map(
    (list) => results.get(list) ?? { ...list, tickets: undefined, calls: 0, problem: problemOf('not-checked', notAsked) },
  );
  return {
    key: stop?.kind === 'key' ? 'rejected' : keyAccepted ? 'accepted' : 'unverified',
    lists: counted,
    stop,
    calls: counted.reduce((n, l) => n + l.calls, 0),
  };
}
