import type { QuestionProSimulator, SimRequest, SimRequestLog } from '../../src/sim/server.js';
import { waitFor } from './poll.js';

// Concurrent lists and processes race: which one finishes first depends on the load of
// the machine. To test what happens when one event comes before another, a test holds
// the simulator's answers that must not come first until that event: an order made by
// events, never by timing.
//
// Mind the run's request slots (SYNC_CONCURRENCY, 4 by default, for all its lists):
// a held request keeps its slot, so hold fewer requests at once than there are slots,
// or the requests the test waits for never go out.

/**
 * Makes the simulator answer each request once the promise `holdOf` returns for it has
 * settled (fulfilled or not), or at once for undefined. It is the simulator's onRequest
 * hook: `sim.onRequest(undefined)` removes it.
 */
export function holdRequests(sim: QuestionProSimulator, holdOf: (request: SimRequest) => Promise<unknown> | undefined): void {
  sim.onRequest(async (request) => {
    await holdOf(request)?.catch(() => undefined);
  });
}

/** A promise the test settles: `opened` resolves once open() is called. */
export function gate(): { readonly opened: Promise<void>; readonly open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves once the simulator has answered a request as `predicate` says (sim.requests logs every answer). */
export function answered(sim: QuestionProSimulator, predicate: (answer: SimRequestLog) => boolean): Promise<SimRequestLog> {
  return waitFor(() => Promise.resolve(sim.requests.find(predicate)));
}
