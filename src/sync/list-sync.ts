import { closeMissingMemberships } from '../db/membership-closer.js';
import { SyncError } from '../errors.js';
import type { ListRef } from '../questionpro/pages.js';
import { crawlPass, type PassContext, type PassResult, type QuarantineNote } from './list-pass.js';
import { emptyCounts, type ListCounts } from '../runs/run-types.js';

export interface CompletenessPolicy {
  /** Passes over a list before it is declared unsettled. */
  readonly maxPasses: number;
  /**
   * Require two consecutive passes that read the same tickets in the same order. A
   * single pass can look consistent while one ticket arrives and another leaves
   * (counts unchanged, the newcomer on a page already read); only a second read
   * shows it. Costs one more pass per list.
   */
  readonly confirmPass: boolean;
}

export interface ListSyncResult {
  readonly counts: ListCounts;
  /** Whether a pass (confirmed, if required) read the list as one consistent snapshot. */
  readonly settled: boolean;
  readonly drift: readonly string[];
  /** The first quarantined records (page, ticketID, requestID, reason). */
  readonly quarantined: readonly QuarantineNote[];
}

/**
 * Reads a list until it holds still: every pass writes what it reads (so nothing read
 * is ever lost), and the list is settled when a pass shows no drift and, if
 * `confirmPass`, read exactly what the previous one read. Only then are memberships
 * the settled pass did not contain marked gone. Bounded by `maxPasses`. A pass ended
 * by a repeating page counts as drift; if the last pass ends so too, the list fails.
 */
export async function syncList(
  ctx: PassContext & { readonly policy: CompletenessPolicy },
  list: ListRef,
  counts: ListCounts = emptyCounts(),
): Promise<ListSyncResult> {
  let previous: PassResult | undefined;
  let drift: readonly string[] = [];
  const quarantined: QuarantineNote[] = [];
  for (let pass = 1; pass <= ctx.policy.maxPasses; pass++) {
    counts.passes = pass;
    let result: PassResult;
    try {
      result = await crawlPass(ctx, list, counts, quarantined, previous);
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'API_PAGES_REPEATING') || pass === ctx.policy.maxPasses) throw error;
      ctx.log.warn({ pass, errMessage: error.message, requestId: error.requestId }, 'pass ended: a page repeats another');
      previous = undefined;
      continue;
    }
    counts.ticketsSeen = result.ids.length;
    drift = result.drift.length > 0 ? result.drift : differsFrom(previous, result, ctx.policy.confirmPass);
    ctx.log.info({ pass, distinct: result.ids.length, totalItems: result.totalItems, drift }, 'pass finished');
    if (drift.length === 0) {
      counts.ticketsUnchanged = Math.max(0, counts.ticketsSeen - counts.ticketsInserted - counts.ticketsUpdated);
      await closeAfterSettled(ctx, list, result, counts);
      return { counts, settled: true, drift, quarantined };
    }
    previous = result;
  }
  counts.ticketsUnchanged = Math.max(0, counts.ticketsSeen - counts.ticketsInserted - counts.ticketsUpdated);
  ctx.log.warn({ passes: ctx.policy.maxPasses, drift }, 'list did not settle: kept what was read, marked nothing gone');
  return { counts, settled: false, drift, quarantined };
}

function differsFrom(previous: PassResult | undefined, current: PassResult, confirm: boolean): string[] {
  if (!confirm) return [];
  if (!previous) return ['first pass: confirming with a second read'];
  if (previous.fingerprint !== current.fingerprint || previous.totalItems !== current.totalItems) {
    return ['the list changed between two passes'];
  }
  return [];
}

async function closeAfterSettled(ctx: PassContext, list: ListRef, settled: PassResult, counts: ListCounts): Promise<void> {
  if (settled.unidentified > 0) {
    // A quarantined record without a usable ticketID could be any stored ticket.
    ctx.log.warn({ unidentified: settled.unidentified }, 'closures skipped: quarantined records without a ticketID');
    return;
  }
  counts.ticketsGone = await ctx.dbRetry('mark gone tickets', () =>
    closeMissingMemberships(ctx.db, {
      segmentId: list.segmentId,
      status: list.status,
      presentIds: settled.ids,
      goneAt: new Date(),
      runId: ctx.runId,
    }),
  );
  if (counts.ticketsGone > 0) ctx.log.info({ gone: counts.ticketsGone }, 'tickets left the list');
}
