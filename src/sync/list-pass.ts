import type { Logger } from 'pino';
import type { DbRetry } from '../db/db-retry.js';
import type { Db } from '../db/prisma.js';
import { rejectedTicketId } from '../db/sql/rejects.js';
import { AbortedError, SyncError } from '../errors.js';
import type { ListCounts } from '../lists/counts.js';
import type { ListRef } from '../lists/list.js';
import type { QuarantineNote } from '../lists/report.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { pages, type CallBudget, type NumberedPage, type PageSource } from '../questionpro/pages.js';
import { splitRecords, type PageRecords } from './page-records.js';
import { storePage, type StoredPage } from './page-store.js';
import { PassTally, type PassResult } from './pass-tally.js';
import type { RunObserver } from './run-observer.js';

export type { PassResult } from './pass-tally.js';

export interface PassContext {
  readonly db: Db;
  readonly source: PageSource;
  readonly log: Logger;
  readonly runId: bigint;
  readonly lastSeenResolutionMs: number;
  readonly dbRetry: DbRetry;
  /** Pages of this list in flight at once (the run caps its total separately). */
  readonly pageConcurrency: number;
  readonly redactor: SecretRedactor;
  /** The calls this list may spend in the run (its reservation, then the run's pool). */
  readonly budget: CallBudget;
  readonly signal?: AbortSignal;
  /** Told of each page taken in (a terminal's progress display). */
  readonly observer?: RunObserver;
  /** Each page's log line: info by default; debug where a progress display shows the pages instead. */
  readonly pageLogLevel?: 'info' | 'debug';
}

/** Notes kept per list (the count is exact; sync_rejects has every record). */
export const MAX_QUARANTINE_NOTES = 20;

/** A page taken in: what it held and what the database made of it. */
export interface TakenPage {
  readonly records: PageRecords;
  readonly stored: StoredPage;
}

export function budgetDeferred(what: string): SyncError {
  return new SyncError('BUDGET_DEFERRED', `the API call budget has no room now for ${what}`);
}

/**
 * One page through the pipeline: validate and transform (page-records), then store it
 * (storeRecords).
 */
export function takeInPage(
  ctx: PassContext,
  list: ListRef,
  page: NumberedPage,
  tallies: { readonly counts: ListCounts; readonly notes: QuarantineNote[] },
  unchanged = false,
): Promise<TakenPage> {
  return storeRecords(ctx, list, page, splitRecords(page, ctx.redactor, ctx.log), tallies, unchanged);
}

/**
 * A page's records written (page-store, one transaction) unless the page is identical
 * to what the previous pass stored, counted, and what was quarantined noted. Then a
 * shutdown may stop the list: the page was committed first.
 */
export async function storeRecords(
  ctx: PassContext,
  list: ListRef,
  page: NumberedPage,
  records: PageRecords,
  tallies: { readonly counts: ListCounts; readonly notes: QuarantineNote[] },
  unchanged = false,
): Promise<TakenPage> {
  // A page identical to the one the previous pass stored changes nothing: the confirming
  // pass then costs API calls only. (Its last_seen_at was refreshed a moment ago.)
  const stored = unchanged ? storedAsBefore(records) : await writePage(ctx, list, page, records);
  countPage(tallies.counts, page, stored, unchanged);
  if (!unchanged) noteQuarantined(ctx.log, tallies.notes, page, stored);
  logPage(ctx.log, page, stored, ctx.pageLogLevel ?? 'info');
  const { totalPages, totalItems } = page.pagination;
  ctx.observer?.onPage?.({
    segmentId: list.segmentId,
    status: list.status,
    page: page.page,
    totalPages,
    totalItems,
    items: page.response.length,
    calls: page.attempts,
  });
  if (ctx.signal?.aborted) throw AbortedError.from(ctx.signal);
  return { records, stored };
}

/**
 * One pass over a list, every page: fetched concurrently, each taken in as it arrives
 * (takeInPage) and recorded in the pass's tally. Ends with the pass's evidence of drift.
 */
export async function crawlPass(
  ctx: PassContext,
  list: ListRef,
  tallies: { readonly counts: ListCounts; readonly notes: QuarantineNote[] },
  previous?: PassResult,
): Promise<PassResult> {
  if (!ctx.budget.take(1)) throw budgetDeferred('page 1 of this list');
  const tally = new PassTally();
  const reading = pages(ctx.source, list, {
    concurrency: ctx.pageConcurrency,
    signal: ctx.signal,
    log: ctx.log,
    budget: ctx.budget,
  });
  for await (const page of reading) {
    // Known from page 1 on: a read the budget stops after it still tells the next plan the list's size.
    if (page.page === 1) tallies.counts.totalItems = page.pagination.totalItems;
    const unchanged = previous?.pageDigests.get(page.page) === page.digest;
    const { records, stored } = await takeInPage(ctx, list, page, tallies, unchanged);
    const { totalItems, perPage } = page.pagination;
    tally.addPage({ page: page.page, digest: page.digest, totalItems, perPage }, records.accepted, stored.quarantined);
  }
  tallies.counts.totalItems = tally.totalItems;
  return tally.finish();
}

function storedAsBefore(records: PageRecords): StoredPage {
  return { inserted: 0, updated: 0, unchanged: records.accepted.length, returned: 0, quarantined: records.rejects };
}

function writePage(ctx: PassContext, list: ListRef, page: NumberedPage, records: PageRecords): Promise<StoredPage> {
  const write = {
    runId: ctx.runId,
    segmentId: list.segmentId,
    status: list.status,
    seenAt: page.fetchedAt,
    lastSeenResolutionMs: ctx.lastSeenResolutionMs,
    requestId: page.requestId,
  };
  return ctx.dbRetry('write page', () => storePage(ctx.db, write, { page: page.page, requestId: page.requestId, ...records }));
}

function countPage(counts: ListCounts, page: NumberedPage, stored: StoredPage, unchanged: boolean): void {
  counts.pages += 1;
  counts.apiRetries += page.attempts - 1;
  counts.ticketsInserted += stored.inserted;
  counts.ticketsUpdated += stored.updated;
  counts.ticketsReturned += stored.returned;
  if (!unchanged) counts.ticketsRejected += stored.quarantined.length;
}

function noteQuarantined(log: Logger, notes: QuarantineNote[], page: NumberedPage, stored: StoredPage): void {
  for (const reject of stored.quarantined) {
    const note = {
      page: page.page,
      ticketId: rejectedTicketId(reject.record)?.toString() ?? null,
      requestId: page.requestId,
      reason: reject.reason,
    };
    if (notes.length < MAX_QUARANTINE_NOTES) notes.push(note);
    log.warn(note, 'record quarantined');
  }
}

function logPage(log: Logger, page: NumberedPage, stored: StoredPage, level: 'info' | 'debug'): void {
  const { quarantined, ...written } = stored;
  log[level](
    {
      page: page.page,
      totalPages: page.pagination.totalPages,
      totalItems: page.pagination.totalItems,
      perPage: page.pagination.perPage,
      items: page.response.length,
      requestId: page.requestId,
      attempts: page.attempts,
      ...written,
      rejected: quarantined.length,
    },
    'page stored',
  );
}
