import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import type { ListRef } from '../lists/list.js';
import type { FetchedPage, PageRequest } from './client.js';

export interface PageSource {
  /** `log`: the caller's logger (its run and list), for what the fetch logs about itself. */
  fetchPage(request: PageRequest, signal?: AbortSignal, log?: Logger): Promise<FetchedPage>;
}

export type NumberedPage = FetchedPage & {
  readonly page: number;
  /** A digest of the page's records as received: equal digests, equal records. */
  readonly digest: string;
  /** When the answer arrived: the time its information is from, whenever it is written. */
  readonly fetchedAt: Date;
};

function lastPageOf(result: FetchedPage): number {
  const { totalItems, totalPages, perPage } = result.pagination;
  return Math.max(totalPages, Math.ceil(totalItems / Math.max(perPage, 1)));
}

/**
 * The most pages one pass may read: what page 1's `totalItems` justifies, plus room
 * for the list to grow by a tenth (at least two pages) while it is read. A server that
 * announces more is broken or hostile: every page is an API call paid from a fixed
 * allowance, so the bound comes from the list's own size, never from a constant.
 */
export function pageBound(totalItems: number, perPage: number): { justified: number; bound: number } {
  const justified = Math.ceil(totalItems / Math.max(perPage, 1));
  return { justified, bound: justified + Math.max(2, Math.ceil(justified / 10)) };
}

/**
 * Every page of one (segment, status) list. Page 1 first, alone: it gives
 * `totalPages`, and an error there (a wrong key) costs one request, not a burst.
 * Then up to `concurrency` pages are in flight at once, yielded as they arrive, so
 * the caller writes each page while the next ones download; at most `concurrency`
 * pages are held at any time, whatever the list's length.
 *
 * The end is computed from `totalPages`/`totalItems` of every answer (a list may grow
 * while it is read) and an empty page ends it early. `pagination.links` are never
 * followed: the vendor's point at another path. Bounded by pageBound(): a server that
 * keeps announcing more pages costs a few calls, then an API_PAGING_RUNAWAY error.
 * A page whose records are exactly another page's ends the pass (API_PAGES_REPEATING)
 * before more pages are asked for: a server answering page 1 for every page would
 * otherwise be read for as long as it announces pages.
 */
export async function* pages(
  source: PageSource,
  list: ListRef,
  options: { concurrency?: number; signal?: AbortSignal; log?: Logger } = {},
): AsyncGenerator<NumberedPage> {
  const fetchOne = async (page: number): Promise<NumberedPage> => {
    const result = await source.fetchPage({ ...list, page }, options.signal, options.log);
    if (result.pagination.currentPage !== page) {
      throw new SyncError(
        'API_PAGING_MISMATCH',
        `asked for page ${page} but the API answered currentPage ${result.pagination.currentPage} (requestID ${result.requestId ?? 'none'})`,
        { requestId: result.requestId },
      );
    }
    const digest = createHash('sha256').update(JSON.stringify(result.response)).digest('base64');
    return { ...result, page, digest, fetchedAt: new Date() };
  };
  const pagesByDigest = new Map<string, number>();
  const checkRepeats = (result: NumberedPage) => {
    const twin = pagesByDigest.get(result.digest);
    if (twin !== undefined && result.response.length > 0) {
      throw new SyncError(
        'API_PAGES_REPEATING',
        `page ${result.page} repeats page ${twin} record for record (requestID ${result.requestId ?? 'none'})`,
        {
          requestId: result.requestId,
        },
      );
    }
    pagesByDigest.set(result.digest, result.page);
  };

  const first = await fetchOne(1);
  checkRepeats(first);
  yield first;
  if (first.response.length === 0) return;

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const { justified, bound } = pageBound(first.pagination.totalItems, list.perPage);
  let lastPage = lastPageOf(first);
  let endAt = Number.POSITIVE_INFINITY; // the first empty page seen
  let nextPage = 2;
  const inFlight = new Map<number, Promise<NumberedPage>>();
  const launch = () => {
    while (inFlight.size < concurrency && nextPage <= Math.min(lastPage, bound) && nextPage < endAt) {
      const page = nextPage++;
      const pending = fetchOne(page);
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
