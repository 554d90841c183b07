import { DEMO_CLOSED_STATUS, DEMO_OPEN_STATUS, demoLists } from './demo-data.js';
import type { QuestionProSimulator } from './server.js';
import { vendorTimestampMs, type SimTicket, type TicketDating } from './ticket-generator.js';

/*
 * The demo's account, dated from an anchor (the start of the demo's first run) so that
 * it looks live when the demo runs, and is the same data on every rerun.
 *
 * State A: every open list holds tickets created over the last five days, so with the
 * usual 72 h time limit some are overdue, some due within a day and the rest not yet
 * due; the closed lists hold older tickets, from three weeks before the anchor.
 * The change: per segment, a few open tickets are closed (they move to the closed
 * list), some well before their due time and some well after it, and a couple of new
 * tickets arrive. State B is A after the change.
 *
 * On a fresh database the demo syncs A, then B: the second sync finds the closed tickets
 * gone from their open list at about the anchor, so the SLA view sees them closed in
 * time or late. On a database that already holds the demo, it syncs B once, which finds
 * nothing changed.
 */

const HOUR_MS = 3_600_000;

/** What changes between state A and state B, per segment. */
export const DEMO_CHANGE = { arrivals: 2, closedInTime: 2, closedLate: 2 } as const;

// One open ticket every 20 minutes: a list of ~340 spans the last five days, so with the
// usual 72 h limit a little under half of it is overdue and a sixth due within a day.
const OPEN_SPACING_MS = 20 * 60_000;
// The newest arrival's slot ends this long before the anchor: no ticket is created
// after the anchor, whose runs read them.
const NEWEST_BEFORE_ANCHOR_MS = HOUR_MS;
// The closed lists: one ticket every 5 hours from three weeks before the anchor.
const CLOSED_SINCE_MS = 21 * 24 * HOUR_MS;
const CLOSED_SPACING_MS = 5 * HOUR_MS;
// Tickets closed in the change are due at least this long after (in time) or before
// (late) the anchor, so that a second sync minutes after the anchor still finds them
// so: the SLA view compares the time a sync found them gone with their due time.
const DUE_MARGIN_MS = 12 * HOUR_MS;

export interface DemoScenarioOptions<R> {
  /** The instant the data is dated from. */
  readonly anchor: Date;
  /** Whether the database has no demo data yet: then state A is synced before state B. */
  readonly fresh: boolean;
  /** One sync run of every demo list. */
  readonly sync: () => Promise<R>;
}

/**
 * Sets the simulator's lists and runs the demo's syncs: A then B on a fresh database,
 * B alone otherwise. Stops after a run that did not succeed; returns the runs' reports.
 */
export async function runDemoScenario<R extends { readonly status: string }>(
  sim: QuestionProSimulator,
  { anchor, fresh, sync }: DemoScenarioOptions<R>,
): Promise<R[]> {
  setDemoStateA(sim, anchor);
  const reports: R[] = [];
  if (fresh) {
    reports.push(await sync());
    if (reports[0]!.status !== 'succeeded') return reports;
  }
  applyDemoChange(sim, anchor);
  reports.push(await sync());
  return reports;
}

/** Every demo list as it stands at the anchor. */
export function setDemoStateA(sim: QuestionProSimulator, anchor: Date): void {
  for (const { segmentId, status, count } of demoLists()) {
    sim.setList(segmentId, status, sim.generate(segmentId, status, count, demoDating(status, count, anchor)));
  }
}

/** State A to state B: new tickets arrive in each open list, and some of its tickets are closed. */
export function applyDemoChange(sim: QuestionProSimulator, anchor: Date): void {
  for (const { segmentId, status, count } of demoLists().filter((l) => l.status === DEMO_OPEN_STATUS)) {
    // The list grown by the arrivals: they come first (newest), then state A's tickets.
    const grown = sim.generate(segmentId, status, count + DEMO_CHANGE.arrivals, demoDating(status, count, anchor));
    const closed = pickClosures(grown.slice(DEMO_CHANGE.arrivals), anchor.getTime());
    // Oldest arrival first, so the newest ends at the front of the inbox.
    for (const ticket of grown.slice(0, DEMO_CHANGE.arrivals).reverse()) sim.upsertTicket(segmentId, status, ticket, 'front');
    for (const ticket of closed) sim.moveTicket(segmentId, ticket.ticketID, status, DEMO_CLOSED_STATUS);
  }
}

/**
 * A list's dating. An open list is dated from its end: its slots, the arrivals' included,
 * end an hour before the anchor, whatever its length.
 */
function demoDating(status: number, count: number, anchor: Date): TicketDating {
  if (status !== DEMO_OPEN_STATUS) return { createdFrom: anchor.getTime() - CLOSED_SINCE_MS, spacingMs: CLOSED_SPACING_MS };
  const slots = count + DEMO_CHANGE.arrivals;
  return { createdFrom: anchor.getTime() - NEWEST_BEFORE_ANCHOR_MS - slots * OPEN_SPACING_MS, spacingMs: OPEN_SPACING_MS };
}

/**
 * The open tickets an agent closes between the two syncs, working oldest due first:
 * some not due for another 12 h at least (closed in time), and some overdue by 12 h at
 * least (closed late).
 */
function pickClosures(open: readonly SimTicket[], anchorMs: number): SimTicket[] {
  const due = new Map(open.map((t) => [t.ticketID, vendorTimestampMs(t.timestamp) + t.timelimit * HOUR_MS]));
  const dueOf = (t: SimTicket) => due.get(t.ticketID)!;
  const byDue = [...open].sort((a, b) => dueOf(a) - dueOf(b) || a.ticketID - b.ticketID);
  const late = byDue.filter((t) => dueOf(t) <= anchorMs - DUE_MARGIN_MS).slice(0, DEMO_CHANGE.closedLate);
  const inTime = byDue.filter((t) => dueOf(t) >= anchorMs + DUE_MARGIN_MS).slice(0, DEMO_CHANGE.closedInTime);
  return [...late, ...inTime];
}
