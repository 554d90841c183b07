import { describe, expect, test } from '@jest/globals';
import type { FetchedPage, PageRequest } from '../../src/questionpro/client.js';
import { pages, type PageSource } from '../../src/questionpro/pages.js';
import { RateWindow } from '../../src/sim/rate-window.js';

/** An in-memory list served page by page, whose answers arrive out of order. */
function listSource(total: () => number, perPage: number, log: number[] = [], inFlight = { now: 0, max: 0 }): PageSource {
  return {
    async fetchPage(request: PageRequest): Promise<FetchedPage> {
      log.push(request.page);
      inFlight.now += 1;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      await new Promise((resolve) => setTimeout(resolve, (request.page * 7) % 5)); // scrambles the order
      inFlight.now -= 1;
      const items = total();
      const start = (request.page - 1) * perPage;
      const response = Array.from({ length: Math.max(0, Math.min(perPage, items - start)) }, (_, i) => ({
        ticketID: start + i + 1,
      }));
      return {
        response,
        pagination: { totalItems: items, perPage, totalPages: Math.ceil(items / perPage), currentPage: request.page },
        requestId: `r${request.page}`,
        attempts: 1,
      };
    },
  };
}

const list = { segmentId: 1, status: 0, perPage: 10 };

describe('paging', () => {
  test('when pages are fetched 4 at a time, then every page is yielded once and never more than 4 are in flight', async () => {
    const inFlight = { now: 0, max: 0 };
    const seen: number[] = [];
    for await (const page of pages(
      listSource(() => 95, 10, [], inFlight),
      list,
      { concurrency: 4 },
    ))
      seen.push(page.page);
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen[0]).toBe(1); // page 1 alone first: it announces the total
    expect(inFlight.max).toBe(4);
  });

  test('when the list grows while it is read, then the new pages are fetched too', async () => {
    let total = 30;
    const asked: number[] = [];
    const source = listSource(() => total, 10, asked);
    const growing: PageSource = {
      fetchPage: (request) => {
        if (request.page === 3) total = 45; // new tickets arrive while page 3 is being read
        return source.fetchPage(request);
      },
    };
    const seen: number[] = [];
    for await (const page of pages(growing, list, { concurrency: 2 })) seen.push(page.page);
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  test('when a page comes back empty, then no page after it is asked for', async () => {
    const asked: number[] = [];
    const source = listSource(() => 30, 10, asked);
    const lying: PageSource = {
      fetchPage: async (request) => {
        const page = await source.fetchPage(request);
        // Announces 100 items, but has only 30.
        return { ...page, pagination: { ...page.pagination, totalItems: 100, totalPages: 10 } };
      },
    };
    for await (const _page of pages(lying, list, { concurrency: 1 })) {
      // drain
    }
    expect(asked).toEqual([1, 2, 3, 4]);
  });

  test('when the server keeps announcing more pages, then paging stops with an error', async () => {
    let total = 20;
    const run = async () => {
      for await (const _page of pages(
        listSource(() => (total += 10), 10),
        list,
        { concurrency: 2 },
      )) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(
      /API announces \d+ pages, but page 1.s totalItems \(30\) justifies 3: stopped after 5 pages/,
    );
  });
});

describe('a server that answers the same page again', () => {
  test('when every page asked is page 1, then the pass ends at the first repeat, before more pages are asked', async () => {
    const asked: number[] = [];
    const source = listSource(() => 1_000, 10, asked);
    const repeating: PageSource = {
      fetchPage: async (request) => ({
        ...(await source.fetchPage({ ...request, page: 1 })),
        pagination: { totalItems: 1_000, perPage: 10, totalPages: 100, currentPage: request.page },
      }),
    };
    const run = async () => {
      for await (const _page of pages(repeating, list, { concurrency: 4 })) {
        // drain
      }
    };
    await expect(run()).rejects.toMatchObject({
      code: 'API_PAGES_REPEATING',
      message: expect.stringMatching(/^page \d repeats page 1 record for record/),
    });
    expect(asked.length).toBeLessThanOrEqual(5); // page 1, then the 4 in flight when the repeat arrived
  });
});

describe("the simulator's rate window", () => {
  test('when more calls than the limit arrive within the window, then the extra ones are refused with a Retry-After', () => {
    const window = new RateWindow(3, 1_000);
    expect([0, 10, 20].map((t) => window.admit(t).admitted)).toEqual([true, true, true]);
    expect(window.admit(500)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(window.admit(1_000).admitted).toBe(true); // the call at 0 left the window
  });
});
