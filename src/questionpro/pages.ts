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

/** No list of detractor tickets is this long; reaching it means paging is broken. */
export const MAX_PAGES = 100_000;

/**
 * Every page of one (segment, status) list, from page 1. The end is computed from
 * `totalPages`/`totalItems` of the latest answer (a list may grow while it is read)
 * and an empty page ends it early. `pagination.links` are never followed: the
 * vendor's point at another path. The loop is bounded, so a server that keeps
 * reporting more pages cannot keep us here forever.
 */
export async function* pages(source: PageSource, list: ListRef, signal?: AbortSignal): AsyncGenerator<FetchedPage & { page: number }> {
  let firstTotalPages: number | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = await source.fetchPage({ ...list, page }, signal);
    if (result.pagination.currentPage !== page) {
      throw new SyncError(
        'API_PAGING_MISMATCH',
        `asked for page ${page} but the API answered currentPage ${result.pagination.currentPage} (requestID ${result.requestId ?? 'none'})`,
      );
    }
    yield { ...result, page };
    if (result.response.length === 0) return;

    const { totalItems, totalPages, perPage } = result.pagination;
    const lastPage = Math.max(totalPages, Math.ceil(totalItems / Math.max(perPage, 1)));
    firstTotalPages ??= lastPage;
    if (page >= lastPage) return;
    // A list may grow while we read it, but not without bound: that is a broken server.
    if (page >= firstTotalPages * 2 + 10) {
      throw new SyncError('API_PAGING_RUNAWAY', `list kept growing: ${page} pages read, ${firstTotalPages} announced at first`);
    }
  }
  throw new SyncError('API_PAGING_RUNAWAY', `pagination did not end after ${MAX_PAGES} pages`);
}
