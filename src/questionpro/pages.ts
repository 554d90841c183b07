import type { FetchedPage, PageRequest } from './client.js';
import { SyncError } from '../errors.js';

export interface PageSource {
  fetchPage(request: PageRequest, signal?: AbortSignal): Promise<FetchedPage>;
}

export interface ListRef {
  readonly segmentId: number;
  readonly status: number;
  readonly perPage: number;
}

export type NumberedPage = FetchedPage & { readonly page: number };

/** No list of detractor tickets is this long; reaching it means paging is broken. */
export const MAX_PAGES = 100_000;

function lastPageOf(result: FetchedPage): number {
  const { totalItems, totalPages, perPage } = result.pagination;
  return Math.max(totalPages, Math.ceil(totalItems / Math.max(perPage, 1)));
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
 * followed: the vendor's point at another path. Bounded: a server that keeps
 * announcing more pages cannot keep us here forever.
 */
export async function* pages(
  source: PageSource,
  list: ListRef,
  options: { concurrency?: number; signal?: AbortSignal } = {},
): AsyncGenerator<NumberedPage> {
  const fetchOne = async (page: number): Promise<NumberedPage> => {
    const result = await source.fetchPage({ ...list, page }, options.signal);
    if (result.pagination.currentPage !== page) {
      throw new SyncError(
        'API_PAGING_MISMATCH',
        `asked for page ${page} but the API answered currentPage ${result.pagination.currentPage} (requestID ${result.requestId ?? 'none'})`,
      );
    }
    return { ...result, page };
  };

  const first = await fetchOne(1);
  yield first;
  if (first.response.length === 0) return;

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const announced = lastPageOf(first);
  let lastPage = announced;
  let endAt = Number.POSITIVE_INFINITY; // the first empty page seen
  let nextPage = 2;
  const inFlight = new Map<number, Promise<NumberedPage>>();
  const launch = () => {
    while (inFlight.size < concurrency && nextPage <= lastPage && nextPage < endAt) {
      // A list may grow while we read it, but not without bound: that is a broken server.
      if (nextPage > Math.min(MAX_PAGES, announced * 2 + 10)) {
        throw new SyncError('API_PAGING_RUNAWAY', `list kept growing: ${nextPage - 1} pages read, ${announced} announced at first`);
      }
      const page = nextPage++;
      const pending = fetchOne(page);
      // Observed now: it may fail while the caller is still busy with an earlier page.
      pending.catch(() => undefined);
      inFlight.set(page, pending);
    }
  };

  launch();
  while (inFlight.size > 0) {
    const result = await Promise.race(inFlight.values());
    inFlight.delete(result.page);
    if (result.response.length === 0) endAt = Math.min(endAt, result.page);
    else lastPage = Math.max(lastPage, lastPageOf(result));
    launch(); // before yielding: downloads continue while the caller writes
    yield result;
  }
}
