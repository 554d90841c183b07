import { rejectedTicketId, type RejectedRecord } from '../db/sql/rejects.js';
import type { AcceptedRecord } from './page-store.js';
import { TicketIdSet } from './ticket-id-set.js';

/** What one pass over a list read, and whether it can have been one consistent snapshot. */
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
  /** Whether the pages came newest first (ticketIDs falling page after page); undefined: cannot tell. */
  readonly newestFirst: boolean | undefined;
  /** Tickets per page the server served (page 1's pagination.perPage); undefined when page 1 was not read. */
  readonly servedPerPage: number | undefined;
}

/**
 * The tickets a page held: its stored records, and its quarantined ones by their
 * ticketID when they have a usable one (a record that could not be stored is still in
 * the list). `unknown`: the quarantined records without one, as their JSON text.
 */
export function idsRead(
  accepted: readonly AcceptedRecord[],
  quarantined: readonly RejectedRecord[],
): { readonly ids: number[]; readonly unknown: string[] } {
  const ids = accepted.map((a) => a.row.ticketId);
  const unknown: string[] = [];
  for (const reject of quarantined) {
    const id = rejectedTicketId(reject.record);
    // A ticket whose ID JS cannot hold exactly cannot be matched against stored ones either.
    if (id === null || id > BigInt(Number.MAX_SAFE_INTEGER)) unknown.push(reject.originalText);
    else if (!accepted.some((a) => a.row.ticketId === Number(id))) ids.push(Number(id));
  }
  return { ids, unknown };
}

/**
 * The bookkeeping of one pass: which tickets each page held (a quarantined record
 * counts by its ticketID when it has a usable one), what each page announced, and at
 * the end the evidence of drift. The list may change while it is read (items shift
 * between pages), which shows as a changing `totalItems`, a ticket read twice, or a
 * count of distinct tickets that does not match `totalItems`.
 */
export class PassTally {
  private readonly pageDigests = new Map<number, string>();
  private readonly seen = new TicketIdSet();
  private readonly totals = new Set<number>();
  private unidentified = 0;
  private lastPage = 0;
  private lastTotal = 0;
  private servedPerPage: number | undefined;

  addPage(
    page: { readonly page: number; readonly digest: string; readonly totalItems: number; readonly perPage: number },
    accepted: readonly AcceptedRecord[],
    quarantined: readonly RejectedRecord[],
  ): void {
    this.pageDigests.set(page.page, page.digest);
    if (page.page === 1) this.servedPerPage = page.perPage;
    const { ids, unknown } = idsRead(accepted, quarantined);
    this.seen.addPage(page.page, ids, unknown);
    this.unidentified += unknown.length;
    this.totals.add(page.totalItems);
    // Pages arrive out of order: the last page's view of the list is the latest one.
    if (page.page >= this.lastPage) {
      this.lastPage = page.page;
      this.lastTotal = page.totalItems;
    }
  }

  get totalItems(): number {
    return this.lastTotal;
  }

  finish(): PassResult {
    const newestFirst = this.seen.newestFirst();
    const reads = this.seen.readCount;
    const { ids, fingerprint } = this.seen.finish();
    const distinct = ids.length + this.unidentified;
    const drift: string[] = [];
    if (this.totals.size > 1) drift.push(`totalItems changed during the pass (${[...this.totals].join(' -> ')})`);
    if (reads !== distinct) drift.push(`${reads - distinct} ticket(s) read twice`);
    if (distinct !== this.lastTotal) drift.push(`${distinct} distinct ticket(s) read, totalItems says ${this.lastTotal}`);
    return {
      ids,
      fingerprint,
      totalItems: this.lastTotal,
      drift,
      unidentified: this.unidentified,
      pageDigests: this.pageDigests,
      newestFirst,
      servedPerPage: this.servedPerPage,
    };
  }
}
