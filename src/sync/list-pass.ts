import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { writeRejects, type RejectedRecord } from '../db/reject-writer.js';
import { writePage, type PageWriteCounts } from '../db/ticket-writer.js';
import { AbortedError } from '../errors.js';
import { pages, type ListRef, type PageSource } from '../questionpro/pages.js';
import type { DbRetry } from '../db/db-retry.js';
import type { ListCounts } from './run-records.js';
import { TicketIdSet } from './ticket-id-set.js';
import { dedupeByTicketId, toTicketRow, type TicketRow } from './transform.js';

export interface PassContext {
  readonly db: Db;
  readonly source: PageSource;
  readonly log: Logger;
  readonly runId: bigint;
  readonly lastSeenResolutionMs: number;
  readonly dbRetry: DbRetry;
  /** Pages of this list in flight at once (the run caps its total separately). */
  readonly pageConcurrency: number;
  readonly signal?: AbortSignal;
}

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
 * One pass over a list: fetch -> validate -> transform -> write, one transaction per
 * page, then the evidence of drift. The list may change while it is read (items shift
 * between pages), which shows as a changing `totalItems`, a ticket read twice, or a
 * count of distinct tickets that does not match `totalItems`.
 */
export async function crawlPass(ctx: PassContext, list: ListRef, counts: ListCounts, previous?: PassResult): Promise<PassResult> {
  const pageDigests = new Map<number, string>();
  const seen = new TicketIdSet();
  const totals = new Set<number>();
  let unidentified = 0;
  let lastTotal = 0;
  let lastPage = 0;
  for await (const page of pages(ctx.source, list, { concurrency: ctx.pageConcurrency, signal: ctx.signal })) {
    const rows: TicketRow[] = [];
    const rejects: RejectedRecord[] = [];
    for (const record of page.response) {
      const result = toTicketRow(record);
      if (result.ok) rows.push(result.row);
      else rejects.push({ record, reason: result.reason });
    }
    // A page identical to the one the previous pass stored changes nothing: the confirming
    // pass then costs API calls only. (Its last_seen_at was refreshed a moment ago.)
    const digest = pageDigest(page.response);
    pageDigests.set(page.page, digest);
    const unchanged = previous?.pageDigests.get(page.page) === digest;
    const unique = dedupeByTicketId(rows);
    const written = unchanged
      ? { inserted: 0, updated: 0, unchanged: unique.length, returned: 0 }
      : await ctx.dbRetry('write page', () => storePage(ctx, list, page.page, page.requestId, unique, rejects));

    const ids = rows.map((row) => row.ticketId);
    const unknown: string[] = [];
    for (const reject of rejects) {
      const id = identifiedTicketId(reject.record);
      if (id === undefined) unknown.push(JSON.stringify(reject.record) ?? 'undefined');
      else ids.push(id);
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
    counts.ticketsInserted += written.inserted;
    counts.ticketsUpdated += written.updated;
    counts.ticketsReturned += written.returned;
    if (!unchanged) counts.ticketsRejected += rejects.length;
    ctx.log.info(
      {
        page: page.page,
        totalPages: page.pagination.totalPages,
        totalItems: page.pagination.totalItems,
        items: page.response.length,
        requestId: page.requestId,
        attempts: page.attempts,
        ...written,
        rejected: rejects.length,
      },
      'page stored',
    );
    for (const reject of rejects) {
      ctx.log.warn({ page: page.page, requestId: page.requestId, reason: reject.reason }, 'record quarantined');
    }
    // Checked after the commit: a shutdown lets the page being written finish.
    if (ctx.signal?.aborted) throw new AbortedError();
  }
  counts.totalItems = lastTotal;
  const reads = seen.readCount;
  const { ids, fingerprint } = seen.finish();
  const drift: string[] = [];
  if (totals.size > 1) drift.push(`totalItems changed during the pass (${[...totals].join(' -> ')})`);
  if (reads !== ids.length + unidentified) drift.push(`${reads - ids.length - unidentified} ticket(s) read twice`);
  if (ids.length + unidentified !== lastTotal) drift.push(`${ids.length + unidentified} distinct ticket(s) read, totalItems says ${lastTotal}`);
  return { ids, fingerprint, totalItems: lastTotal, drift, unidentified, pageDigests };
}

function pageDigest(records: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(records)).digest('base64');
}

/** A quarantined record can still name its ticket (e.g. only its timestamp was bad). */
function identifiedTicketId(record: unknown): number | undefined {
  const id = (record as { ticketID?: unknown } | null)?.ticketID;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

async function storePage(
  ctx: PassContext,
  list: ListRef,
  page: number,
  requestId: string | undefined,
  rows: TicketRow[],
  rejects: RejectedRecord[],
): Promise<PageWriteCounts> {
  const write = {
    runId: ctx.runId,
    segmentId: list.segmentId,
    status: list.status,
    requestId,
    rows,
    seenAt: new Date(),
    lastSeenResolutionMs: ctx.lastSeenResolutionMs,
  };
  if (rejects.length === 0) return writePage(ctx.db, write);
  // Good records and the quarantined ones of a page commit together or not at all.
  return ctx.db.$transaction(async (tx) => {
    const counts = await writePage(tx, write);
    await writeRejects(tx, { runId: ctx.runId, segmentId: list.segmentId, status: list.status, page, requestId, rejects });
    return counts;
  });
}
