import { QuestionProSimulator } from '../../src/sim/server.js';
import { documentedValidators } from './documented-schemas.js';
import { API_KEY, crawl, getPage, postDetractors } from './sim-http.js';

const validators = documentedValidators();
let sim: QuestionProSimulator;

beforeAll(async () => {
  sim = await QuestionProSimulator.start({
    apiKey: API_KEY,
    seed: 3,
    lists: [
      { segmentId: 101, status: 0, count: 250 },
      { segmentId: 102, status: 0, count: 0 },
    ],
  });
});
afterAll(() => sim.close());

async function errorOf(res: Response): Promise<{ name: string; id: string; message: string; httpStatusCode: number }> {
  const body = (await res.json()) as {
    response: { error: { name: string; id: string; message: string; httpStatusCode: number } };
  };
  expect(validators.error(body)).toBe(true);
  return body.response.error;
}

describe('POST /cx/tickets/detractors: success', () => {
  it('when every page of a list is read, then each body validates against the documented schema', async () => {
    const pages = await crawl(sim, 101, 0, 100);
    for (const page of pages) {
      expect({ ok: validators.success(page), errors: validators.success.errors }).toEqual({ ok: true, errors: null });
    }
  });

  it('when a body departs from the documented schema, then the validator used above rejects it', async () => {
    // Guards the guard: a validator that accepted anything would make the test above pass.
    const page = await getPage(sim, 101, 0, 1, 5);
    const ticket = page.response[0]!;
    expect(validators.success({ ...page, extra: 1 })).toBe(false);
    expect(validators.success({ ...page, response: [{ ...ticket, emailAddress: 'not an email' }] })).toBe(false);
    expect(validators.success({ ...page, response: [{ ...ticket, ticketID: 1.5 }] })).toBe(false);
    expect(
      validators.success({ ...page, pagination: { ...page.pagination, links: { ...page.pagination.links, next: 'x' } } }),
    ).toBe(false);
  });

  it('when a list of 250 is read 100 per page, then pages hold 100, 100, 50 and every ticket exactly once, in order', async () => {
    const pages = await crawl(sim, 101, 0, 100);
    expect(pages.map((p) => p.response.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.pagination.currentPage)).toEqual([1, 2, 3]);
    expect(pages.flatMap((p) => p.response)).toEqual(sim.list(101, 0));
  });

  it.each([
    [0, 100, 0],
    [1, 100, 1],
    [99, 100, 1],
    [100, 100, 1],
    [101, 100, 2],
    [250, 7, 36],
  ])('when a list holds %i tickets and perPage is %i, then totalPages is %i', async (count, perPage, totalPages) => {
    sim.setList(150, 0, sim.generate(150, 0, count));
    const { pagination } = await getPage(sim, 150, 0, 1, perPage);
    expect(pagination).toMatchObject({ totalItems: count, totalPages, perPage, currentPage: 1 });
  });

  it('when a page beyond the end is asked for, then the response is empty with the same pagination totals', async () => {
    const body = await getPage(sim, 101, 0, 4, 100);
    expect(body.response).toEqual([]);
    expect(body.pagination).toMatchObject({ totalItems: 250, totalPages: 3, currentPage: 4, perPage: 100 });
    expect(validators.success(body)).toBe(true);
  });

  it('when page and perPage are absent, then page 1 of 100 is served', async () => {
    const res = await postDetractors(sim, { segmentId: 101, status: 0 });
    const body = (await res.json()) as { response: unknown[]; pagination: { perPage: number; currentPage: number } };
    expect(body.pagination).toMatchObject({ perPage: 100, currentPage: 1 });
    expect(body.response).toHaveLength(100);
  });

  it("when a page is served, then its links point at the vendor's other path and next/prev are null", async () => {
    const { pagination } = await getPage(sim, 101, 0, 2, 50);
    expect(pagination.links).toEqual({
      self: expect.stringMatching(/\/a\/api\/v2\/cx\/detractor\/ticket\/data\?page=2&perPage=50$/),
      first: expect.stringMatching(/\/cx\/detractor\/ticket\/data\?page=1&perPage=50$/),
      last: expect.stringMatching(/\/cx\/detractor\/ticket\/data\?page=5&perPage=50$/),
      next: null,
      prev: null,
    });
  });

  it('when a known segment is asked for a status never set, then it answers 200 with an empty list', async () => {
    const body = await getPage(sim, 101, 7, 1, 100);
    expect(body.response).toEqual([]);
    expect(body.pagination).toMatchObject({ totalItems: 0, totalPages: 0 });
  });

  it('when two requests are answered, then each carries its own requestID in the body and in x-request-id, and is logged', async () => {
    const [a, b] = await Promise.all([postDetractors(sim, { segmentId: 101 }), postDetractors(sim, { segmentId: 101 })]);
    const ids: string[] = [];
    for (const res of [a, b]) {
      const body = (await res.json()) as { requestID: string };
      expect(body.requestID).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-request-id')).toBe(body.requestID);
      ids.push(body.requestID);
    }
    expect(ids[0]).not.toBe(ids[1]);
    const logged = sim.requests.filter((r) => ids.includes(r.requestId));
    expect(logged).toEqual([
      expect.objectContaining({ segmentId: 101, status: 0, page: 1, perPage: 100, httpStatus: 200 }),
      expect.objectContaining({ segmentId: 101, status: 0, page: 1, perPage: 100, httpStatus: 200 }),
    ]);
  });
});

describe('POST /cx/tickets/detractors: errors', () => {
  it.each([
    ['no api-key header', null],
    ['a wrong api-key', 'nope'],
  ])('when the request has %s, then it answers 401 UNAUTHORIZED 1010', async (_case, apiKey) => {
    const res = await postDetractors(sim, { apiKey });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await errorOf(res)).toMatchObject({
      name: 'UNAUTHORIZED',
      id: '1010',
      message: 'Incorrect API Key',
      httpStatusCode: 401,
    });
  });

  it('when the segment has no list at all, then it answers 404 NOT_FOUND 1040', async () => {
    const res = await postDetractors(sim, { segmentId: 999 });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ name: 'NOT_FOUND', id: '1040', httpStatusCode: 404 });
  });

  it('when an unknown segment gets a list, then it stops answering 404', async () => {
    expect((await postDetractors(sim, { segmentId: 998 })).status).toBe(404);
    sim.setList(998, 3, sim.generate(998, 3, 2));
    expect((await getPage(sim, 998, 3, 1, 100)).response).toHaveLength(2);
  });

  it.each([
    ['page=0', /page/],
    ['page=abc', /page/],
    ['page=1.5', /page/],
    ['perPage=-1', /perPage/],
    ['perPage=0', /perPage/],
    ['perPage=1001', /perPage must be at most 1000/],
  ])('when the query is %s, then it answers 400 BAD_REQUEST 1000 naming the parameter', async (query, mentions) => {
    const res = await postDetractors(sim, { query });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error).toMatchObject({ name: 'BAD_REQUEST', id: '1000', httpStatusCode: 400 });
    expect(error.message).toMatch(/^Invalid URL parameters/);
    expect(error.message).toMatch(mentions);
  });

  it('when perPage is exactly the maximum, then it is accepted', async () => {
    expect((await getPage(sim, 101, 0, 1, 1000)).response).toHaveLength(250);
  });

  it.each([
    ['a body that is not JSON', { rawBody: '{segmentID: 101' }, '1001'],
    ['an empty body', { rawBody: '' }, '1001'],
    ['a string segmentID', { segmentId: '101' }, '1002'],
    ['a missing status', { rawBody: '{"segmentID":101}' }, '1002'],
    ['a fractional status', { status: 0.5 }, '1002'],
    ['an array body', { rawBody: '[]' }, '1002'],
  ])('when the request has %s, then it answers 400 BAD_REQUEST', async (_case, opts, id) => {
    const res = await postDetractors(sim, opts);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ name: 'BAD_REQUEST', id, httpStatusCode: 400 });
  });

  it.each([
    ['a wrong path', { path: '/cx/detractor/ticket/data' }],
    ['GET instead of POST', { method: 'GET' }],
  ])('when the request uses %s, then it answers 404', async (_case, opts) => {
    const res = await postDetractors(sim, opts);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ name: 'NOT_FOUND' });
  });

  it('when maxPerPage is configured lower, then perPage above it answers 400', async () => {
    const small = await QuestionProSimulator.start({
      apiKey: API_KEY,
      maxPerPage: 50,
      lists: [{ segmentId: 101, status: 0, count: 1 }],
    });
    try {
      expect((await postDetractors(small, { query: 'perPage=51' })).status).toBe(400);
      expect((await postDetractors(small, { query: 'perPage=50' })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
