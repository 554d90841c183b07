import type { Logger } from 'pino';
import type { DbRetry } from '../db/db-retry.js';
import type { Db } from '../db/prisma.js';
import { rejectedTicketId, type RejectedRecord } from '../db/reject-writer.js';
import { AbortedError } from '../errors.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { pages, type ListRef, type PageSource } from '../questionpro/pages.js';
import { storePage, type AcceptedRecord } from './page-store.js';
import { sanitizeRecord } from './record-sanitizer.js';
import type { ListCounts } from '../runs/run-types.js';
import { TicketIdSet } from './ticket-id-set.js';
import { toTicketRow } from './transform.js';

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
  readonly signal?: AbortSignal;
}

/** What was quarantined, named so an operator can find it: in the list's report and its log line. */
export interface QuarantineNote {
  readonly page: number;
  readonly ticketId: string | null;
  readonly requestId: string | undefined;
  readonly reason: string;
}

/** Notes kept per list (the count is exact; sync_rejects has every record). */
export const MAX_QUARANTINE_NOTES = 20;

export interface PassResult {
  /** A digest of each page's records as received, by page number. */
  readonly pageDigests: ReadonlyMap<number, string>;
  /** Distinct ticket IDs read, sorted. */
  readonly ids: Float64Array;
  /** Read order of every record: equal fingerprints mean two passes read the same list. */
  readonly fingerprint: string;
  readonly totalItems: number;
  /** Why the list cannot have been read as one consistent snapshot; empty when it may have. */
  readonly drift: readonly string[];
  /** Quarantined records whose ticketID is unknown: closures cannot be decided around them. */
  readonly unidentified: number;
}

/**
 * One pass over a list: fetch -> sanitize -> validate -> transform -> write, one
 * transaction per page, then the evidence of drift. The list may change while it is
 * read (items shift between pages), which shows as a changing `totalItems`, a ticket
 * read twice, or a count of distinct tickets that does not match `totalItems`.
 */
export async function crawlPass(
  ctx: PassContext,
  list: ListRef,
  counts: ListCounts,
  notes: QuarantineNote[],
  previous?: PassResult,
): Promise<PassResult> {
  const pageDigests = new Map<number, string>();
  const seen = new TicketIdSet();
  const totals = new Set<number>();
  let unidentified = 0;
  let lastTotal = 0;
  let lastPage = 0;
  for await (const page of pages(ctx.source, list, { concurrency: ctx.pageConcurrency, signal: ctx.signal, log: ctx.log })) {
    const digest = page.digest;
    pageDigests.set(page.page, digest);

    const accepted: AcceptedRecord[] = [];
    const rejects: RejectedRecord[] = [];
    for (const received of page.response) {
      const source = sanitizeRecord(received, ctx.redactor);
      const result = toTicketRow(source.record);
      if (result.ok) accepted.push({ row: result.row, source });
      else rejects.push({ record: source.record, originalText: source.originalText, reason: ctx.redactor.redact(result.reason) });
      if (source.repaired) {
        const ticketId = result.ok ? result.row.ticketId : rejectedTicketId(source.record)?.toString();
        ctx.log.warn(
          { page: page.page, requestId: page.requestId, ticketId },
          'record text repaired (NUL or lone surrogate replaced by U+FFFD)',
        );
      }
    }
    // A page identical to the one the previous pass stored changes nothing: the confirming
    // pass then costs API calls only. (Its last_seen_at was refreshed a moment ago.)
    const unchanged = previous?.pageDigests.get(page.page) === digest;
    const write = {
      runId: ctx.runId,
      segmentId: list.segmentId,
      status: list.status,
      seenAt: page.fetchedAt,
      lastSeenResolutionMs: ctx.lastSeenResolutionMs,
      requestId: page.requestId,
    };
    const stored = unchanged
      ? { inserted: 0, updated: 0, unchanged: accepted.length, returned: 0, quarantined: rejects }
      : await ctx.dbRetry('write page', () =>
          storePage(ctx.db, write, { page: page.page, requestId: page.requestId, accepted, rejects }),
        );

    const ids = accepted.map((a) => a.row.ticketId);
    const unknown: string[] = [];
    for (const reject of stored.quarantined) {
      const id = rejectedTicketId(reject.record);
      // A ticket whose ID JS cannot hold exactly cannot be matched against stored ones either.
      if (id === null || id > BigInt(Number.MAX_SAFE_INTEGER)) unknown.push(reject.originalText);
      else if (!accepted.some((a) => a.row.ticketId === Number(id))) ids.push(Number(id));
    }
    seen.addPage(page.page, ids, unknown);
    unidentified += unknown.length;
    totals.add(page.pagination.totalItems);
    // Pages arrive out of order: the last page's view of the list is the latest one.
    if (page.page >= lastPage) {
      lastPage = page.page;
      lastTotal = page.pagination.totalItems;
    }
    counts.pages += 1;
    counts.apiRetries += page.attempts - 1;
    counts.ticketsInserted += stored.inserted;
    counts.ticketsUpdated += stored.updated;
    counts.ticketsReturned += stored.returned;
    if (!unchanged) {
      counts.ticketsRejected += stored.quarantined.length;
      for (const reject of stored.quarantined) {
        const note = {
          page: page.page,
          ticketId: rejectedTicketId(reject.record)?.toString() ?? null,
          requestId: page.requestId,
          reason: reject.reason,
        };
        if (notes.length < MAX_QUARANTINE_NOTES) notes.push(note);
        ctx.log.warn(note, 'record quarantined');
      }
    }
    const { quarantined, ...written } = stored;
    ctx.log.info(
      {
        page: page.page,
        totalPages: page.pagination.totalPages,
        totalItems: page.pagination.totalItems,
        items: page.response.length,
        requestId: page.requestId,
        attempts: page.attempts,
        ...written,
        rejected: quarantined.length,
      },
      'page stored',
    );
    // Checked after the commit: a shutdown lets the page being written finish.
    if (ctx.signal?.aborted) throw AbortedError.from(ctx.signal);
  }
  counts.totalItems = lastTotal;
  const reads = seen.readCount;
  const { ids, fingerprint } = seen.finish();
  const drift: string[] = [];
  if (totals.size > 1) drift.push(`totalItems changed during the pass (${[...totals].join(' -> ')})`);
  if (reads !== ids.length + unidentified) drift.push(`${reads - ids.length - unidentified} ticket(s) read twice`);
  if (ids.length + unidentified !== lastTotal)
    drift.push(`${ids.length + unidentified} distinct ticket(s) read, totalItems says ${lastTotal}`);
  return { ids, fingerprint, totalItems: lastTotal, drift, unidentified, pageDigests };
}
