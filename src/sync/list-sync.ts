import type { ListMode } from '../budget/planner.js';
import { closeMissingMemberships, liveMembershipCount } from '../db/sql/memberships.js';
import { SyncError } from '../errors.js';
import { emptyCounts, type ListCounts } from '../lists/counts.js';
import type { ListRef } from '../lists/list.js';
import type { QuarantineNote } from '../lists/report.js';
import { crawlPass, type PassContext, type PassResult } from './list-pass.js';

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
  /** Whether the list was read as one consistent snapshot (confirmed, when verified). */
  readonly settled: boolean;
  /** Whether a verified crawl ran (confirmed complete, then closures). */
  readonly verified: boolean;
  readonly drift: readonly string[];
  /** The first quarantined records (page, ticketID, requestID, reason). */
  readonly quarantined: readonly QuarantineNote[];
}

/** Calls a run still has for verified crawls that its reads ask for (the API call budget). */
export interface VerificationAllowance {
  take(calls: number): boolean;
}

export const UNLIMITED: VerificationAllowance = { take: () => true };

export interface ListSyncContext extends PassContext {
  readonly policy: CompletenessPolicy;
  readonly allowance: VerificationAllowance;
}

/**
 * Reads a list, in one of two modes. A `read` is one pass that writes what it reads;
 * when that pass was consistent and every ticket stored as in the list was read, nothing
 * left it and the read is done. Otherwise (the list moved while read, or tickets it
 * holds were not read: closed, or skipped by a shift) it goes on as a verified crawl,
 * if the run's allowance has the calls. A `verify` reads until the list holds still: a
 * pass with no drift that, with `confirmPass`, read exactly what the pass before read.
 * Only then are the memberships it did not contain marked gone. Bounded by
 * `maxPasses`; a pass ended by a repeating page counts as drift, and if the last one
 * ends so too the list fails.
 */
export async function syncList(
  ctx: ListSyncContext,
  list: ListRef & { readonly mode: ListMode },
  counts: ListCounts = emptyCounts(),
): Promise<ListSyncResult> {
  let mode = list.mode;
  let previous: PassResult | undefined;
  let drift: readonly string[] = [];
  const quarantined: QuarantineNote[] = [];
  const done = (settled: boolean, verified: boolean): ListSyncResult => {
    counts.ticketsUnchanged = Math.max(0, counts.ticketsSeen - counts.ticketsInserted - counts.ticketsUpdated);
    return { counts, settled, verified, drift, quarantined };
  };
  for (let pass = 1; pass <= ctx.policy.maxPasses; pass++) {
    counts.passes = pass;
    let result: PassResult;
    try {
      result = await crawlPass(ctx, list, counts, quarantined, previous);
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'API_PAGES_REPEATING') || pass === ctx.policy.maxPasses) throw error;
      ctx.log.warn({ pass, errMessage: error.message, requestId: error.requestId }, 'pass ended: a page repeats another');
      previous = undefined;
      mode = 'verify';
      continue;
    }
    counts.ticketsSeen = result.ids.length;
    const consistent = result.drift.length === 0;
    drift =
      consistent && ctx.policy.confirmPass && previous && !sameRead(previous, result)
        ? ['the list changed between two passes']
        : result.drift;
    const confirmed = consistent && drift.length === 0 && (!ctx.policy.confirmPass || previous !== undefined);
    ctx.log.info(
      { pass, mode, distinct: result.ids.length, totalItems: result.totalItems, consistent, confirmed, drift },
      'pass finished',
    );

    if (mode === 'read') {
      if (result.unidentified > 0) {
        // A quarantined record without a ticketID could be any stored ticket: nothing can be closed.
        ctx.log.warn({ unidentified: result.unidentified }, 'closures skipped: quarantined records without a ticketID');
        return done(consistent, false);
      }
      const notRead = consistent
        ? (await ctx.dbRetry('count list', () => liveMembershipCount(ctx.db, list))) - result.ids.length
        : undefined;
      if (notRead === 0) return done(true, false); // every ticket stored as in the list was read: nothing left it
      const pagesPerPass = result.pageDigests.size;
      if (!ctx.allowance.take(ctx.policy.confirmPass ? pagesPerPass : 0)) {
        ctx.log.warn({ notRead, drift: result.drift }, 'verification deferred: the API call budget has no room for another pass');
        return done(consistent, false);
      }
      ctx.log.info({ notRead, drift: result.drift }, 'the list changed: verifying it');
      mode = 'verify';
    }
    if (confirmed) {
      await closeAfterSettled(ctx, list, result, counts);
      return done(true, true);
    }
    previous = result;
  }
  ctx.log.warn({ passes: ctx.policy.maxPasses, drift }, 'list did not settle: kept what was read, marked nothing gone');
  return done(false, false);
}

function sameRead(previous: PassResult, current: PassResult): boolean {
  return previous.fingerprint === current.fingerprint && previous.totalItems === current.totalItems;
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
