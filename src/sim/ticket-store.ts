import type { SimTicket } from './ticket-generator.js';

// The simulator's truth: one list per (segment, status), newest first like a ticket
// inbox, so a ticket arriving mid-crawl shifts every later page by one.

export type InsertPosition = 'front' | 'back';

export class TicketStore {
  private readonly segments = new Map<number, Map<number, SimTicket[]>>();

  /** A segment is known once any of its lists was set, even if all are empty now. */
  hasSegment(segmentId: number): boolean {
    return this.segments.has(segmentId);
  }

  /** The live list (not a copy): only for computing a page. Empty for an unset status. */
  view(segmentId: number, status: number): readonly SimTicket[] {
    return this.segments.get(segmentId)?.get(status) ?? [];
  }

  /** A deep-enough copy: callers may mutate it without changing the truth. */
  copy(segmentId: number, status: number): SimTicket[] {
    return this.view(segmentId, status).map((ticket) => ({ ...ticket }));
  }

  set(segmentId: number, status: number, tickets: readonly SimTicket[]): void {
    this.adopt(
      segmentId,
      status,
      tickets.map((ticket) => ({ ...ticket })),
    );
  }

  /** Stores `tickets` itself, not a copy: for fresh lists nobody else holds (1M tickets, one copy). */
  adopt(segmentId: number, status: number, tickets: SimTicket[]): void {
    this.segment(segmentId).set(status, tickets);
  }

  /**
   * Replaces the ticket with the same ticketID where it stands (an edit does not
   * reorder an inbox), or inserts it at `position` when it is new.
   */
  upsert(segmentId: number, status: number, ticket: SimTicket, position: InsertPosition = 'front'): void {
    const list = this.list(segmentId, status);
    const index = list.findIndex((t) => t.ticketID === ticket.ticketID);
    const stored = { ...ticket };
    if (index >= 0) list[index] = stored;
    else if (position === 'front') list.unshift(stored);
    else list.push(stored);
  }

  remove(segmentId: number, status: number, ticketId: number): SimTicket | undefined {
    const list = this.segments.get(segmentId)?.get(status);
    const index = list?.findIndex((t) => t.ticketID === ticketId) ?? -1;
    if (!list || index < 0) return undefined;
    return list.splice(index, 1)[0];
  }

  /** A status change: the ticket leaves one list and enters the other as its newest. */
  move(segmentId: number, ticketId: number, fromStatus: number, toStatus: number): void {
    const ticket = this.remove(segmentId, fromStatus, ticketId);
    if (!ticket) {
      throw new Error(`ticket ${ticketId} is not in segment ${segmentId} status ${fromStatus}`);
    }
    this.upsert(segmentId, toStatus, ticket, 'front');
  }

  private segment(segmentId: number): Map<number, SimTicket[]> {
    let lists = this.segments.get(segmentId);
    if (!lists) {
      lists = new Map();
      this.segments.set(segmentId, lists);
    }
    return lists;
  }

  private list(segmentId: number, status: number): SimTicket[] {
    const lists = this.segment(segmentId);
    let list = lists.get(status);
    if (!list) {
      list = [];
      lists.set(status, list);
    }
    return list;
  }
}
