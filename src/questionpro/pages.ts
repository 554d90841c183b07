import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import type { ListRef } from '../lists/list.js';
import { ApiError } from './api-error.js';
import { IdSet } from './id-set.js';
import type { FetchedPage, PageRequest } from './client.js';

export interface PageSource {
  /** `log`: the caller's logger (its run and list), for what the fetch logs about itself. */
  fetchPage(request: PageRequest, signal?: AbortSignal, log?: Logger): Promise<FetchedPage>;
}

/** Calls a reader may still spend (the run's API call budget); undefined: no limit. */
export interface CallBudget {
  take(calls: number): boolean;
}

export type NumberedPage = FetchedPage & {
  readonly page: number;
  /** A digest of the page's records as a set: equal digests, equal records, in whatever order they came. */
  readonly digest: string;
  /** When the answer arrived: the time its information is from, whenever it is written. */
  readonly fetchedAt: Date;
};

/** The page size the endpoint documents as its default; a larger one may be refused (400) or served smaller. */
export const DOCUMENTED_PER_PAGE = 100;

export interface PageOptions {
  readonly signal?: AbortSignal;
  readonly log?: Logger;
}

function lastPageOf(result: FetchedPage): number {
  const { totalItems, totalPages, perPage } = result.pagination;
  return Math.max(totalPages, Math.ceil(totalItems / Math.max(perPage, 1)));
}

/**
 * The most pages one pass may read: what page 1's `totalItems` justifies at the page size
 * the server serves, plus room for the list to grow by a tenth (at least two pages)
 * while it is read. A server that announces more is broken or hostile: every page is an
 * API call paid from a fixed allowance, so the bound comes from the list's own size.
 */
export function pageBound(totalItems: number, servedPerPage: number): { justified: number; bound: number } {
  const justified = Math.ceil(totalItems / Math.max(servedPerPage, 1));
  return { justified, bound: justified + Math.max(2, Math.ceil(justified / 10)) };
}

/** A digest that ignores the order of records within the page: a reordered page is the same page. */
function recordsDigest(records: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const text of records.map((r) => JSON.stringify(r) ?? 'undefined').sort()) hash.update(`${text.length}:${text}`);
  return hash.digest('base64');
}

/** One page of a list, checked to be the page asked for, stamped with its arrival. */
export async function fetchNumberedPage(
  source: PageSource,
  list: ListRef,
  page: number,
  options: PageOptions = {},
): Promise<NumberedPage> {
  const result = await source.fetchPage({ ...list, page }, options.signal, options.log);
  if (result.pagination.currentPage !== page) {
    throw new SyncError(
      'API_PAGING_MISMATCH',
      `asked for page ${page} but the API answered currentPage ${result.pagination.currentPage} (requestID ${result.requestId ?? 'none'})`,
      { requestId: result.requestId },
    );
  }
  return { ...result, page, digest: recordsDigest(result.response), fetchedAt: new Date() };
}

/**
 * Page 1 of a list, at the page size the list asks for or, when the server refuses a
 * size above the documented default with a 400, once more at that default: the list
 * then reads at the size the server accepts. The caller learns the size it got from
 * `list` of the answer and `pagination.perPage`.
 */
export async function fetchFirstPage(
  source: PageSource,
  list: ListRef,
  options: PageOptions & { readonly budget?: CallBudget } = {},
): Promise<{ readonly page: NumberedPage; readonly list: ListRef }> {
  try {
    return { page: await fetchNumberedPage(source, list, 1, options), list };
  } catch (error) {
    const refused = error instanceof ApiError && error.httpStatus === 400 && list.perPage > DOCUMENTED_PER_PAGE;
    if (!refused || options.budget?.take(1) === false) throw error;
    options.log?.warn(
      { perPage: list.perPage, requestId: error.requestId, retryPerPage: DOCUMENTED_PER_PAGE },
      'page size refused (400): reading the list at the documented default',
    );
    const smaller = { ...list, perPage: DOCUMENTED_PER_PAGE };
    return { page: await fetchNumberedPage(source, smaller, 1, options), list: smaller };
  }
}

/**
 * Every page of one (segment, status) list. Page 1 first, alone: it gives
 * `totalPages` and the page size the server serves, and an error there (a wrong key)
 * costs one request, not a burst. Then up to `concurrency` pages are in flight at once,
 * yielded as they arrive, so the caller writes each page while the next ones download;
 * at most `concurrency` pages are held at any time, whatever the list's length.
 *
 * The end is computed from `totalPages`/`totalItems` of every answer (a list may grow
 * while it is read) and an empty page ends it early. `pagination.links` are never
 * followed: the vendor's point at another path. Bounded by pageBound(): a server that
 * keeps announcing more pages costs a few calls, then an API_PAGING_RUNAWAY error.
 * A page whose records are exactly another page's ends the pass (API_PAGES_REPEATING)
 * before more pages are asked for. With a `budget`, the pages beyond the first are
 * taken from it before they are asked for: when it cannot pay for the pass, the pass
 * ends after page 1 with BUDGET_DEFERRED.
 */
export async function* pages(
  source: PageSource,
  list: ListRef,
  options: PageOptions & { readonly concurrency?: number; readonly budget?: CallBudget } = {},
): AsyncGenerator<NumberedPage> {
  const pagesByDigest = new Map<string, number>();
  const seen = new IdSet();
  const checkRepeats = (result: NumberedPage) => {
    const twin = pagesByDigest.get(result.digest);
    if (twin !== undefined && result.response.length > 0) {
      throw new SyncError(
        'API_PAGES_REPEATING',
        `page ${result.page} repeats page ${twin} record for record (requestID ${result.requestId ?? 'none'})`,
        { requestId: result.requestId },
      );
    }
    pagesByDigest.set(result.digest, result.page);
    // A page of tickets all read earlier in this pass brings no news: a server that serves
    // the same tickets again with a field changed each time would otherwise be read for as
    // long as it announces pages (and write a version of each ticket every page).
    const ids = result.response.map((record) => (record as { ticketID?: unknown } | null)?.ticketID);
    const known = ids.length > 0 && ids.every((id) => typeof id === 'number' && seen.has(id));
    if (known) {
      throw new SyncError(
        'API_PAGES_REPEATING',
        `page ${result.page} holds only tickets read earlier in this pass (requestID ${result.requestId ?? 'none'})`,
        { requestId: result.requestId },
      );
    }
    for (const id of ids) if (typeof id === 'number') seen.add(id);
  };

  const { page: first, list: read } = await fetchFirstPage(source, list, options);
  checkRepeats(first);
  yield first;
  if (first.response.length === 0) return;

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const { justified, bound } = pageBound(first.pagination.totalItems, first.pagination.perPage);
  let lastPage = lastPageOf(first);
  let paidUpTo = 1;
  let endAt = Number.POSITIVE_INFINITY; // the first empty page seen
  let nextPage = 2;
  const inFlight = new Map<number, Promise<NumberedPage>>();
  const launch = () => {
    const until = Math.min(lastPage, bound);
    if (until > paidUpTo && options.budget) {
      if (!options.budget.take(until - paidUpTo)) {
        throw new SyncError(
          'BUDGET_DEFERRED',
          `the API call budget has no room now for the ${until - paidUpTo} more page(s) of this list (page 1 stored)`,
        );
      }
    }
    paidUpTo = Math.max(paidUpTo, until);
    while (inFlight.size < concurrency && nextPage <= until && nextPage < endAt) {
      const page = nextPage++;
      const pending = fetchNumberedPage(source, read, page, options);
      // Observed now: it may fail while the caller is still busy with an earlier page.
      pending.catch(() => undefined);
      inFlight.set(page, pending);
    }
  };

  try {
    launch();
    while (inFlight.size > 0) {
      const result = await Promise.race(inFlight.values());
      inFlight.delete(result.page);
      checkRepeats(result);
      if (result.response.length === 0) endAt = Math.min(endAt, result.page);
      else lastPage = Math.max(lastPage, lastPageOf(result));
      launch(); // before yielding: downloads continue while the caller writes
      yield result;
    }
  } finally {
    // Ended early (an error, a repeat, a shutdown): the requests under way settle first,
    // so the list's calls are all counted and none outlives it.
    await Promise.allSettled(inFlight.values());
  }
  if (lastPage > bound && endAt > bound) {
    throw new SyncError(
      'API_PAGING_RUNAWAY',
      `the API announces ${lastPage} pages, but page 1's totalItems (${first.pagination.totalItems}) justifies ${justified}: ` +
        `stopped after ${bound} pages (requestID of page 1: ${first.requestId ?? 'none'})`,
      { requestId: first.requestId },
    );
  }
}
