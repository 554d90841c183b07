import { QuestionProSimulator } from '../../src/sim/server.js';
import { API_KEY, crawl, getPage, postDetractors } from './sim-http.js';

let sim: QuestionProSimulator;

beforeEach(async () => {
  sim = await QuestionProSimulator.start({ apiKey: API_KEY, seed: 11, lists: [{ segmentId: 101, status: 0, count: 250 }] });
});
afterEach(() => sim.close());

const ids = (tickets: Array<{ ticketID: number }>): number[] => tickets.map((t) => t.ticketID);

describe('lists changing under a crawl', () => {
  it('when two simulators share a seed, then their lists are identical', async () => {
    const twin = await QuestionProSimulator.start({
      apiKey: 'other',
      seed: 11,
      lists: [{ segmentId: 101, status: 0, count: 250 }],
    });
    try {
      expect(twin.list(101, 0)).toEqual(sim.list(101, 0));
    } finally {
      await twin.close();
    }
  });

  it('when a new ticket arrives before page 2 is read, then the last ticket of page 1 is read twice and the new one is missed', async () => {
    // The list grows to 251 but page 1 is already read: everything shifts down by one.
    const before = sim.list(101, 0);
    const [newest] = sim.generate(101, 0, 251);
    sim.onRequest((req) => {
      if (req.page === 2) sim.upsertTicket(101, 0, newest!);
    });

    const pages = await crawl(sim, 101, 0, 100);

    const read = ids(pages.flatMap((p) => p.response));
    expect(read).toHaveLength(251);
    expect(read.filter((id) => id === before[99]!.ticketID)).toHaveLength(2);
    expect(read).not.toContain(newest!.ticketID);
    expect(new Set(read)).toEqual(new Set(ids(before)));
    expect(pages[2]!.pagination.totalItems).toBe(251);
    expect(sim.list(101, 0)[0]).toEqual(newest);
  });

  it('when a ticket is closed before page 2 is read, then one ticket slides onto page 1 and is skipped', async () => {
    const before = sim.list(101, 0);
    sim.onRequest((req) => {
      if (req.page === 2) sim.moveTicket(101, before[0]!.ticketID, 0, 1);
    });

    const read = ids((await crawl(sim, 101, 0, 100)).flatMap((p) => p.response));

    expect(read).toHaveLength(249);
    expect(read).not.toContain(before[100]!.ticketID);
  });

  it('when the hook is async, then the request waits for it', async () => {
    sim.onRequest(async () => {
      await new Promise((resolve) => setImmediate(resolve)); // the answer waits for this turn of the event loop
      sim.setList(101, 0, []);
    });
    expect((await getPage(sim, 101, 0, 1, 100)).pagination.totalItems).toBe(0);
  });

  it('when the hook sees a request, then it gets the parsed values and the requestID', async () => {
    const seen: unknown[] = [];
    sim.onRequest((req) => void seen.push(req));
    const body = await getPage(sim, 101, 0, 3, 20);
    expect(seen).toEqual([{ segmentId: 101, status: 0, page: 3, perPage: 20, requestId: body.requestID }]);
    sim.onRequest(undefined);
    await getPage(sim, 101, 0, 1, 20);
    expect(seen).toHaveLength(1);
  });

  it("when the hook throws, then the request answers 500 with the hook's message", async () => {
    sim.onRequest(() => {
      throw new Error('boom');
    });
    const res = await postDetractors(sim, {});
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('simulator onRequest hook failed: boom');
  });
});

describe('editing lists', () => {
  it('when a ticket is moved to another status, then it leaves the first list and heads the other', () => {
    const ticket = sim.list(101, 0)[10]!;
    sim.setList(101, 1, sim.generate(101, 1, 3));

    sim.moveTicket(101, ticket.ticketID, 0, 1);

    expect(ids(sim.list(101, 0))).not.toContain(ticket.ticketID);
    expect(sim.list(101, 0)).toHaveLength(249);
    expect(sim.list(101, 1)).toHaveLength(4);
    expect(sim.list(101, 1)[0]).toEqual(ticket);
  });

  it('when a ticket that is not there is moved, then it throws', () => {
    expect(() => sim.moveTicket(101, 42, 0, 1)).toThrow(/ticket 42 is not in segment 101 status 0/);
  });

  it('when an existing ticket is upserted, then it is replaced where it stands', () => {
    const ticket = sim.list(101, 0)[5]!;
    sim.upsertTicket(101, 0, { ...ticket, rating: '0', comment: 'edited' });
    const after = sim.list(101, 0);
    expect(after).toHaveLength(250);
    expect(after[5]).toMatchObject({ ticketID: ticket.ticketID, comment: 'edited' });
  });

  it('when a new ticket is upserted at the back, then it is served last', async () => {
    const [extra] = sim.generate(101, 0, 251);
    sim.upsertTicket(101, 0, extra!, 'back');
    const pages = await crawl(sim, 101, 0, 100);
    expect(pages.at(-1)!.response.at(-1)).toEqual(extra);
  });

  it('when a ticket is removed, then it is returned and no longer served; an unknown one gives undefined', async () => {
    const ticket = sim.list(101, 0)[0]!;
    expect(sim.removeTicket(101, 0, ticket.ticketID)).toEqual(ticket);
    expect(sim.removeTicket(101, 0, ticket.ticketID)).toBeUndefined();
    expect(sim.removeTicket(555, 0, 1)).toBeUndefined();
    expect(ids((await getPage(sim, 101, 0, 1, 1000)).response)).not.toContain(ticket.ticketID);
  });

  it('when the copy returned by list() is changed, then the served list is not', () => {
    const copy = sim.list(101, 0);
    copy[0]!.comment = 'tampered';
    copy.pop();
    expect(sim.list(101, 0)).toHaveLength(250);
    expect(sim.list(101, 0)[0]!.comment).not.toBe('tampered');
  });
});

describe('latency and shutdown', () => {
  it('when latency is set, then a request is held back until it has passed', async () => {
    sim.setLatency(60_000);
    let answered = false;
    const pending = postDetractors(sim, { apiKey: 'wrong' }).then(
      () => (answered = true),
      () => undefined,
    );
    await sim.arrived(1);
    // Another request, with no latency, is answered while the first still waits.
    sim.setLatency(0);
    expect((await postDetractors(sim, { apiKey: 'wrong' })).status).toBe(401);
    expect(answered).toBe(false);
    await sim.close();
    await pending;
    expect(() => sim.setLatency(-1)).toThrow(RangeError);
  });

  // A 30 s latency that close() did not end would outlast the test's own 10 s limit.
  it('when the simulator is closed during a slow response, then close() ends it and can be called again', async () => {
    sim.setLatency(30_000);
    const pending = postDetractors(sim, {}).catch((err: unknown) => err);
    await sim.arrived(1);
    await sim.close();
    await sim.close();
    expect(await pending).toMatchObject({ message: 'fetch failed' });
  }, 10_000);
});
