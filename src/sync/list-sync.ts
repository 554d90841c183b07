import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { writeRejects, type RejectedRecord } from '../db/reject-writer.js';
import { writePage, type PageWriteCounts } from '../db/ticket-writer.js';
import { AbortedError } from '../errors.js';
import { pages, type ListRef, type PageSource } from '../questionpro/pages.js';
import { emptyCounts, type ListCounts } from './run-records.js';
import { dedupeByTicketId, toTicketRow, type TicketRow } from './transform.js';

export interface ListSyncContext {
  readonly db: Db;
  readonly source: PageSource;
  readonly log: Logger;
  readonly runId: bigint;
  readonly lastSeenResolutionMs: number;
  readonly signal?: AbortSignal;
}

export interface ListSyncResult {
  readonly counts: ListCounts;
  /** Distinct tickets read in this list, for completeness checks. */
  readonly seenTicketIds: ReadonlySet<number>;
}

/**
 * Reads one (segment, status) list page by page: fetch -> validate -> transform ->
 * write, one transaction per page. Counts accumulate in `counts` as pages commit, so
 * a caller that catches an error still knows what was stored.
 */
export async function syncList(ctx: ListSyncContext, list: ListRef, counts: ListCounts = emptyCounts()): Promise<ListSyncResult> {
  const seen = new Set<number>();
  for await (const page of pages(ctx.source, list, ctx.signal)) {
    const rows: TicketRow[] = [];
    const rejects: RejectedRecord[] = [];
    for (const record of page.response) {
      const result = toTicketRow(record);
      if (result.ok) rows.push(result.row);
      else rejects.push({ record, reason: result.reason });
    }
    const unique = dedupeByTicketId(rows);
    const written = await storePage(ctx, list, page.page, page.requestId, unique, rejects);

    for (const row of unique) seen.add(row.ticketId);
    counts.pages += 1;
    counts.apiRetries += page.attempts - 1;
    counts.totalItems = page.pagination.totalItems;
    counts.ticketsInserted += written.inserted;
    counts.ticketsUpdated += written.updated;
    counts.ticketsUnchanged += written.unchanged;
    counts.ticketsRejected += rejects.length;
    counts.ticketsSeen = seen.size;
    ctx.log.info(
      {
        page: page.page,
        totalPages: page.pagination.totalPages,
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
  return { counts, seenTicketIds: seen };
}

async function storePage(
  ctx: ListSyncContext,
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
