import { closeMissingMemberships, liveTicketIds } from '../db/sql/memberships.js';
import { resolveUnseenRejects } from '../db/sql/rejects.js';
import { SyncError } from '../errors.js';
import type { ListRef } from '../lists/list.js';
import type { CallBudget } from '../questionpro/pages.js';
import { crawlPass, type PassResult } from './list-pass.js';
import type { ListRead, ListSyncContext, Tallies } from './list-read.js';

/** How many of the stored tickets (ascending) a read (ascending) did not see. */
export function countMissing(stored: Float64Array, read: Float64Array): number {
  let missing = 0;
  let j = 0;
  for (const id of stored) {
    while (j < read.length && read[j]! < id) j++;
    if (read[j] !== id) missing++;
  }
  return missing;
}

function sameRead(previous: PassResult, current: PassResult): boolean {
  return previous.fingerprint === current.fingerprint && previous.totalItems === current.totalItems;
}

/** A pass paid for in advance (a confirming pass must not stop halfway), the list's budget for pages beyond. */
function prepaid(calls: number, budget: CallBudget): CallBudget {
  let left = calls;
  return {
    take: (n) => {
      const own = Math.min(left, n);
      if (n > own && !budget.take(n - own)) return false;
      left -= own;
      return true;
    },
  };
}

/**
 * Every page of a list. The first pass writes what it reads; when it was consistent and
 * saw every ticket the database holds as in the list, nothing left it: the list is
 * verified in one read (a first sync included: there is nothing to close yet). Otherwise
 * (the list moved while read, or stored tickets were not read: closed, or skipped by a
 * shift) the read goes on as a verified crawl, if the budget has a whole pass more: it
 * reads until the list holds still, a pass with no drift that, with `confirmPass`, read
 * exactly what the pass before read, and only then marks the memberships it did not
 * contain gone. Bounded by `maxPasses`; a pass ended by a repeating page counts as
 * drift, and if the last one ends so too the list fails. A consistent pass also shows
 * the order the server serves the list in, and its page size: the next runs can probe.
 */
export async function fullRead(ctx: ListSyncContext, list: ListRef, tallies: Tallies, expectedPages?: number): Promise<ListRead> {
  const { counts } = tallies;
  // A size known beforehand is paid for at once: a read the budget cannot finish does not start.
  if (expectedPages !== undefined && !ctx.budget.take(expectedPages)) {
    throw new SyncError('BUDGET_DEFERRED', `the API call budget has no room now for a full read of ${expectedPages} page(s)`);
  }
  const firstBudget = expectedPages === undefined ? ctx.budget : prepaid(expectedPages, ctx.budget);
  let read = list;
  let previous: PassResult | undefined;
  let verifying = false;
  let drift: readonly string[] = [];
  let servedOrder: ListRead['learning']['servedOrder'] = null;
  let servedPerPage: number | null = null;
  const done = (settled: boolean, verified: boolean): ListRead => ({
    settled,
    verified,
    drift,
    learning: { readMode: 'full', servedOrder, servedPerPage, needsFullRead: !verified },
  });
  // A verified read saw the whole list: what it holds as quarantined and this run did not
  // see has left it. (An incremental read proves no absence: it reads the head only.)
  const verifiedRead = async (): Promise<ListRead> => {
    const resolved = await ctx.dbRetry('resolve quarantined records', () => resolveUnseenRejects(ctx.db, list, ctx.runId));
    if (resolved > 0) ctx.log.info({ resolved }, 'quarantined records left the list');
    return done(true, true);
  };
  for (let pass = 1; pass <= ctx.policy.maxPasses; pass++) {
    let result: PassResult;
    if (pass > 1 && previous && !ctx.budget.take(previous.pageDigests.size)) {
      ctx.log.warn(
        { pass, pages: previous.pageDigests.size },
        'verification deferred: the API call budget has no room for another pass',
      );
      return done(drift.length === 0, false);
    }
    counts.passes = pass;
    ctx.observer?.onListPhase?.({ segmentId: list.segmentId, status: list.status, phase: verifying ? 'verifying' : 'reading' });
    try {
      const budget =
        pass > 1 && previous ? prepaid(previous.pageDigests.size, ctx.budget) : pass === 1 ? firstBudget : ctx.budget;
      result = await crawlPass({ ...ctx, budget }, read, tallies, previous);
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'API_PAGES_REPEATING') || pass === ctx.policy.maxPasses) throw error;
      ctx.log.warn({ pass, errMessage: error.message, requestId: error.requestId }, 'pass ended: a page repeats another');
      previous = undefined;
      verifying = true;
      continue;
    }
    counts.ticketsSeen = result.ids.length;
    const consistent = result.drift.length === 0;
    if (result.servedPerPage !== undefined) {
      servedPerPage = result.servedPerPage;
      read = { ...list, perPage: Math.min(list.perPage, result.servedPerPage) };
    }
    if (consistent && result.newestFirst !== undefined) servedOrder = result.newestFirst ? 'newest_first' : 'other';
    drift =
      consistent && ctx.policy.confirmPass && previous && !sameRead(previous, result)
        ? ['the list changed between two passes']
        : result.drift;
    const confirmed = consistent && drift.length === 0 && (!ctx.policy.confirmPass || previous !== undefined);
    ctx.log.info(
      { pass, verifying, distinct: result.ids.length, totalItems: result.totalItems, consistent, confirmed, drift },
      'pass finished',
    );
    if (!verifying) {
      if (result.unidentified > 0) {
        // A quarantined record without a ticketID could be any stored ticket: nothing can be closed.
        ctx.log.warn({ unidentified: result.unidentified }, 'closures skipped: quarantined records without a ticketID');
        return done(consistent, false);
      }
      if (consistent) {
        const notRead = countMissing(await ctx.dbRetry('read the stored list', () => liveTicketIds(ctx.db, list)), result.ids);
        if (notRead === 0) return verifiedRead(); // every ticket stored as in the list was read: nothing left it
        ctx.log.info({ notRead }, 'stored tickets not read: verifying the list');
      } else ctx.log.info({ drift: result.drift }, 'the list moved while read: verifying it');
      verifying = true;
    }
    if (confirmed) {
      if (result.unidentified > 0) {
        ctx.log.warn({ unidentified: result.unidentified }, 'closures skipped: quarantined records without a ticketID');
        return done(true, false);
      }
      counts.ticketsGone = await ctx.dbRetry('mark gone tickets', () =>
        closeMissingMemberships(ctx.db, {
          segmentId: list.segmentId,
          status: list.status,
          presentIds: result.ids,
          goneAt: new Date(),
          runId: ctx.runId,
        }),
      );
      if (counts.ticketsGone > 0) ctx.log.info({ gone: counts.ticketsGone }, 'tickets left the list');
      return verifiedRead();
    }
    previous = result;
  }
  ctx.log.warn({ passes: ctx.policy.maxPasses, drift }, 'list did not settle: kept what was read, marked nothing gone');
  return done(false, false);
}
