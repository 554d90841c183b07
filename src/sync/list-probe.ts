import { closeNamedMemberships, knownListOrder, knownListSize } from '../db/sql/memberships.js';
import type { ListRef } from '../lists/list.js';
import { fetchFirstPage, fetchNumberedPage, type NumberedPage } from '../questionpro/pages.js';
import { budgetDeferred, storeRecords } from './list-pass.js';
import { splitRecords, type PageRecords } from './page-records.js';
import type { ListRead, ListSyncContext, Tallies } from './list-read.js';
import { idsRead } from './pass-tally.js';

/** A page as the probe reads it: its tickets, highest first (the order of a list served newest first). */
interface ProbePage {
  readonly page: number;
  readonly ids: readonly number[];
  readonly unidentified: number;
  readonly totalItems: number;
}

/** A page holding stored tickets, placed against the stored list. */
interface Anchor {
  readonly page: number;
  /** Index in the stored list of the page's first and last stored ticket. */
  readonly firstIdx: number;
  readonly lastIdx: number;
  /** Stored tickets that left the list above the page's first, and above its last, stored ticket. */
  readonly goneBefore: number;
  readonly goneThrough: number;
}

export type ProbeResult =
  | { readonly kind: 'settled'; readonly read: ListRead; readonly list: ListRef }
  | { readonly kind: 'unexplained'; readonly reason: string; readonly list: ListRef };

class Unexplained extends Error {}

/** The budget has no room for the pages the probe needs now: the next run probes again. */
class ProbeDeferred extends Error {
  constructor(
    message: string,
    /** Whether what was read so far may be written: the stored head stays contiguous. */
    readonly keepPages: boolean,
  ) {
    super(message);
  }
}

function viewOf(page: NumberedPage, records: PageRecords): ProbePage {
  const { ids, unknown } = idsRead(records.accepted, records.rejects);
  return {
    page: page.page,
    ids: [...new Set(ids)].sort((a, b) => b - a),
    unidentified: unknown.length,
    totalItems: page.pagination.totalItems,
  };
}

const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * The head probe of a list served newest first, which was read fully before: what the
 * database holds (its open memberships, and the tickets quarantined in it since) is the
 * list as it was, in ticketID order, so it says what each page should hold.
 * - Page 1 as stored and `totalItems` unchanged: nothing changed at the head. One call.
 * - New tickets on top (page 1, and the next pages while they are all new), the rest of
 *   the list where it was: they are stored, and `totalItems` says how many stored
 *   tickets left the list (as many as were not explained by the new ones).
 * - Tickets left: where the pages start shows it (a page starting later than expected
 *   lies past a removal), so bisection over the pages finds each removal between two
 *   pages read or inside one, ⌈log2 pages⌉ calls each; a last read of page 1 confirms
 *   the list held still meanwhile, and they are recorded gone.
 * Anything else (a ticket unknown below the head, the list changing while probed, more
 * removals than are worth locating, no budget for them) is unexplained: the caller reads
 * the list fully. What a probe cannot see at all (an edit deep in the list, an arrival
 * in the middle matched by a removal) is left to the verified full reads on their cadence.
 */
export async function probeList(
  ctx: ListSyncContext,
  list: ListRef,
  tallies: Tallies,
  quarantinedSince: bigint | null,
): Promise<ProbeResult> {
  const { counts } = tallies;
  counts.passes = 1;
  ctx.observer?.onListPhase?.({ segmentId: list.segmentId, status: list.status, phase: 'probing' });
  // The pages are compared with the database as it was before the probe, then written.
  const fetched: Array<{ readonly page: NumberedPage; readonly records: PageRecords }> = [];
  const take = (page: NumberedPage): ProbePage => {
    const records = splitRecords(page, ctx.redactor, ctx.log);
    fetched.push({ page, records });
    return viewOf(page, records);
  };
  if (!ctx.budget.take(1)) throw budgetDeferred('page 1 of the probe');
  const first = await fetchFirstPage(ctx.source, list, { signal: ctx.signal, log: ctx.log, budget: ctx.budget });
  const read = first.list;
  const page1 = take(first.page);
  const perPage = first.page.pagination.perPage;
  // What later reads of this run ask for: the size the server serves.
  const served = { ...read, perPage: Math.min(read.perPage, perPage) };
  const total = page1.totalItems;
  counts.totalItems = total;
  const seen = new Set(page1.ids);
  const writeFetched = async () => {
    for (const { page, records } of fetched) await storeRecords(ctx, read, page, records, tallies);
    counts.ticketsSeen = seen.size;
  };
  let gone: number[] = [];
  try {
    if (page1.unidentified > 0) throw new Unexplained('a record on page 1 has no usable ticketID');
    const size = await ctx.dbRetry('count the stored list', () => knownListSize(ctx.db, list, quarantinedSince));
    const head = await ctx.dbRetry('read the stored head', () =>
      knownListOrder(ctx.db, list, quarantinedSince, { offset: 0, limit: perPage }),
    );
    if (total !== size || !sameIds(page1.ids, head)) {
      const known = await ctx.dbRetry('read the stored list', () => knownListOrder(ctx.db, list, quarantinedSince));
      let prepaid = 0;
      const afford = (calls: number) => {
        if (!ctx.budget.take(calls)) return false;
        prepaid += calls;
        return true;
      };
      const fetchPage = async (n: number): Promise<ProbePage> => {
        if (prepaid > 0) prepaid--;
        else if (!ctx.budget.take(1))
          throw new ProbeDeferred(`the API call budget has no room now for page ${n} of the new tickets`, false);
        const view = take(await fetchNumberedPage(ctx.source, read, n, { signal: ctx.signal, log: ctx.log }));
        if (view.totalItems !== total)
          throw new Unexplained(`the list changed while probed (totalItems ${total} -> ${view.totalItems})`);
        if (view.unidentified > 0) throw new Unexplained(`a record on page ${n} has no usable ticketID`);
        view.ids.forEach((id) => seen.add(id));
        return view;
      };
      gone = await locateRemovals({ known, page1, perPage, total, fetchPage, afford });
      // The list held still while it was probed: page 1 again, as it was.
      if (gone.length > 0 && !sameIds((await fetchPage(1)).ids, page1.ids))
        throw new Unexplained('page 1 changed while the list was probed');
    }
  } catch (error) {
    if (error instanceof ProbeDeferred) {
      if (!error.keepPages) throw budgetDeferred(`the probe (${error.message})`);
      // New tickets stored; which stored ones left is for the next run, when the budget has grown.
      await writeFetched();
      ctx.log.warn({ reason: error.message }, 'closures deferred: the API call budget has no room to locate them now');
      return settled(served, perPage);
    }
    if (!(error instanceof Unexplained)) throw error;
    await writeFetched();
    return { kind: 'unexplained', reason: error.message, list: served };
  }
  await writeFetched();
  if (gone.length > 0) {
    counts.ticketsGone = await ctx.dbRetry('mark gone tickets', () =>
      closeNamedMemberships(ctx.db, {
        segmentId: list.segmentId,
        status: list.status,
        goneIds: gone,
        goneAt: new Date(),
        runId: ctx.runId,
      }),
    );
    ctx.log.info({ located: gone.length, gone: counts.ticketsGone }, 'tickets left the list (located by the probe)');
  }
  return settled(served, perPage);
}

/** `list`: as read (at the page size the server accepted). */
function settled(list: ListRef, servedPerPage: number): ProbeResult {
  return {
    kind: 'settled',
    list,
    read: {
      settled: true,
      verified: false,
      drift: [],
      learning: { readMode: 'probe', servedOrder: null, servedPerPage, needsFullRead: false },
    },
  };
}

/**
 * The stored tickets that left the list, from page 1 and as few other pages as it takes.
 * `known`: the stored list, highest ticketID first. Throws Unexplained when the pages do
 * not fit the stored list with new tickets on top and some stored ones gone.
 */
async function locateRemovals(p: {
  readonly known: readonly number[];
  readonly page1: ProbePage;
  readonly perPage: number;
  readonly total: number;
  fetchPage(n: number): Promise<ProbePage>;
  /** Pays for `calls` pages in advance (false: the budget has no room). */
  afford(calls: number): boolean;
}): Promise<number[]> {
  const index = new Map(p.known.map((id, i) => [id, i]));
  const lastPage = Math.max(1, Math.ceil(p.total / p.perPage));
  // New tickets: on top of the list, on page 1 and the pages after it while they are all new.
  let arrivals = 0;
  let view = p.page1;
  for (;;) {
    const firstKnown = view.ids.findIndex((id) => index.has(id));
    const newOnPage = firstKnown < 0 ? view.ids.length : firstKnown;
    if (view.ids.slice(newOnPage).some((id) => !index.has(id)))
      throw new Unexplained(`a ticket not in the stored list below the head (page ${view.page})`);
    arrivals += newOnPage;
    if (firstKnown >= 0 || view.page >= lastPage) break;
    view = await p.fetchPage(view.page + 1);
  }
  const removals = p.known.length + arrivals - p.total;
  if (removals < 0)
    throw new Unexplained(`${-removals} ticket(s) more than the stored list and ${arrivals} new at the head explain`);
  const place = (page: ProbePage) => anchorOf(page, p.perPage, index, arrivals);
  if (removals === 0) {
    // Nothing left: the stored tickets read so far must be exactly the top of the stored list.
    if ((place(view)?.goneThrough ?? 0) !== 0) throw new Unexplained('page 1 does not continue the stored list');
    return [];
  }
  const bisection = Math.ceil(Math.log2(lastPage));
  if (removals * (bisection + 1) >= lastPage) {
    throw new Unexplained(`${removals} ticket(s) left: a full read costs less than locating them`);
  }
  // The bisections and the last read of page 1, paid at once: a probe never stops halfway.
  if (!p.afford(removals * bisection + 1)) {
    throw new ProbeDeferred(`locating ${removals} ticket(s) that left costs about ${removals * bisection + 1} calls`, true);
  }
  const gone: number[] = [];
  const at = (page: ProbePage) => {
    const anchor = place(page);
    if (!anchor) throw new Unexplained(`page ${page.page} holds no stored ticket`);
    // Inside the page: the stored tickets between its first and last that it lacks.
    const present = new Set(page.ids);
    gone.push(...p.known.slice(anchor.firstIdx, anchor.lastIdx + 1).filter((id) => !present.has(id)));
    return anchor;
  };
  const top = at(view);
  gone.push(...p.known.slice(0, top.firstIdx)); // above the first stored ticket read, every stored one left
  const resolve = async (lo: Anchor, hi: { readonly page: number; readonly goneBefore: number; readonly firstIdx: number }) => {
    const between = hi.goneBefore - lo.goneThrough;
    if (between < 0) throw new Unexplained(`pages ${lo.page} and ${hi.page} do not fit the stored list`);
    if (between === 0) return;
    if (hi.page === lo.page + 1) {
      const left = p.known.slice(lo.lastIdx + 1, hi.firstIdx);
      if (left.length !== between) throw new Unexplained(`pages ${lo.page} and ${hi.page} do not fit the stored list`);
      gone.push(...left);
      return;
    }
    const mid = at(await p.fetchPage(Math.floor((lo.page + hi.page) / 2)));
    await resolve(lo, mid);
    await resolve(mid, hi);
  };
  await resolve(top, { page: lastPage + 1, goneBefore: removals, firstIdx: p.known.length });
  if (gone.length !== removals) throw new Unexplained(`located ${gone.length} of ${removals} removals`);
  return gone;
}

/**
 * Where a page's stored tickets sit: the ticket at true position t (its page's place in
 * the list, then its rank in the page) and index i in the stored list has i - (t - new
 * tickets above t) stored tickets above it that left the list.
 */
function anchorOf(page: ProbePage, perPage: number, index: ReadonlyMap<number, number>, arrivals: number): Anchor | undefined {
  const positions = page.ids.map((id, rank) => ({ idx: index.get(id), t: (page.page - 1) * perPage + rank }));
  const stored = positions.filter((x): x is { idx: number; t: number } => x.idx !== undefined);
  const first = stored[0];
  const last = stored.at(-1);
  if (!first || !last) return undefined;
  const goneAbove = (x: { idx: number; t: number }) => x.idx - (x.t - Math.min(arrivals, x.t));
  const anchor = {
    page: page.page,
    firstIdx: first.idx,
    lastIdx: last.idx,
    goneBefore: goneAbove(first),
    goneThrough: goneAbove(last),
  };
  if (anchor.goneBefore < 0) throw new Unexplained(`page ${page.page} starts higher in the list than the stored tickets allow`);
  return anchor;
}
