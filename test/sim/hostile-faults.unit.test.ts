import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { documentedValidators } from './documented-schemas.js';
import { API_KEY, getPage, postDetractors, type PageBody } from './sim-http.js';

// The simulator playing a hostile API: answers that trickle, stop short, never end,
// repeat themselves, lie about their size, leak the key, or carry raw text JS cannot
// represent. Everything is checked on the wire, with no client code of ours between.

const validators = documentedValidators();
const MiB = 2 ** 20;
let sim: QuestionProSimulator;

beforeEach(async () => {
  sim = await QuestionProSimulator.start({ apiKey: API_KEY, lists: [{ segmentId: 101, status: 0, count: 30 }] });
});
afterEach(() => sim.close());

const page1 = { query: 'page=1&perPage=10' };

/** A POST over node:http without keep-alive, so the test sees the socket itself. */
function rawPost(query: string): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const body = JSON.stringify({ segmentID: 101, status: 0 });
  const req = request(`${sim.baseUrl}/cx/tickets/detractors?${query}`, {
    method: 'POST',
    agent: false,
    headers: { 'api-key': API_KEY, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.end(body);
  return { req, response };
}

/** Everything the body delivers, and how it ended: an error, or undefined for a clean end. */
async function drain(res: IncomingMessage): Promise<{ body: Buffer; failure: unknown }> {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  const failure = await new Promise<unknown>((resolve) => {
    res.once('error', resolve);
    res.once('end', () => resolve(undefined));
  });
  return { body: Buffer.concat(chunks), failure };
}

/** The exact text of a normal page 1 of perPage 10: the request ID differs, its length does not. */
async function realPageText(): Promise<string> {
  return JSON.stringify(await getPage(sim, 101, 0, 1, 10));
}

describe('slow-body', () => {
  it('when the client gives up after the headers, then the body is incomplete and the simulator stops trickling', async () => {
    const expectedLength = Buffer.byteLength(await realPageText());
    sim.injectFault({ kind: 'slow-body', intervalMs: 20 });
    const { req, response } = rawPost(page1.query);
    const res = await response;

    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(expectedLength);
    const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
    expect(first.length).toBeLessThan(expectedLength);
    req.destroy();
    // Resolves only once the simulator noticed the client leave: a trickle that went
    // on regardless would take ~80 s and time the test out.
    await sim.settled();

    const log = sim.requests.at(-1)!;
    expect(log).toMatchObject({ fault: 'slow-body', httpStatus: 200, page: 1 });
    expect(log.requestId).toBe(res.headers['x-request-id']);
    expect(log.bytesSent).toBeGreaterThanOrEqual(1);
    expect(log.bytesSent).toBeLessThan(expectedLength);
  });

  it('when the client waits, then the bytes add up to the real page', async () => {
    sim.injectFault({ kind: 'slow-body', intervalMs: 1 });
    const res = await postDetractors(sim, { query: 'page=2&perPage=1' });
    const body = (await res.json()) as PageBody;
    expect(validators.success(body)).toBe(true);
    expect(body.response.map((t) => t.ticketID)).toEqual([sim.list(101, 0)[1]!.ticketID]);
    expect(sim.requests.at(-1)!.bytesSent).toBe(Number(res.headers.get('content-length')));
  });

  it('when a default slow-body is pending, then close() ends it and the client sees the connection drop', async () => {
    sim.injectFault({ kind: 'slow-body' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(200);
    const failure = res.text().catch((err: unknown) => err);
    await sim.close();
    expect(await failure).toMatchObject({ name: 'TypeError' });
  }, 10_000);
});

describe('reset-mid-body', () => {
  it('when the body is reset after 20 bytes, then the client gets those bytes of the real page and a reset', async () => {
    const real = await realPageText();
    sim.injectFault({ kind: 'reset-mid-body' });
    const res = await rawPost(page1.query).response;

    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(real));
    const { body, failure } = await drain(res);
    expect(body.toString()).toBe(real.slice(0, 20));
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'reset-mid-body', httpStatus: 200, bytesSent: 20 });
  });

  it('when more bytes are asked than the body has, then it still stops one byte short', async () => {
    const real = await realPageText();
    sim.injectFault({ kind: 'reset-mid-body', bytes: 10 * MiB });
    const { body, failure } = await drain(await rawPost(page1.query).response);
    expect(body.length).toBe(Buffer.byteLength(real) - 1);
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('huge-body', () => {
  it('when the client stops after 1 MiB of a 1 GiB body, then the simulator stops writing far short of it', async () => {
    sim.injectFault({ kind: 'huge-body', bytes: 2 ** 30 });
    const controller = new AbortController();
    const res = await postDetractors(sim, { ...page1, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-length')).toBeNull();

    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    while (received < MiB) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
    }
    controller.abort();
    await sim.settled();

    expect(Buffer.concat(chunks).toString('utf8', 0, 30)).toBe('{"response":[{"emailAddress":"');
    const log = sim.requests.at(-1)!;
    expect(log).toMatchObject({ fault: 'huge-body', httpStatus: 200, requestId: res.headers.get('x-request-id') });
    expect(log.bytesSent).toBeGreaterThanOrEqual(received);
    // What the client read plus what socket buffers hold: nowhere near the 1 GiB promised.
    expect(log.bytesSent).toBeLessThan(64 * MiB);
  });

  it.each([
    ['10 records', 10, 3 * MiB],
    ['1000 records (one copy is larger than a chunk)', 1000, 3 * MiB + 12_345],
  ])(
    'when a body of %s is read to the end, then it is exactly as long as asked and parses as one page',
    async (_, perPage, bytes) => {
      sim.setList(101, 0, sim.generate(101, 0, 1000));
      sim.injectFault({ kind: 'huge-body', bytes });
      const res = await postDetractors(sim, { query: `page=1&perPage=${perPage}` });
      const text = Buffer.from(await res.arrayBuffer());

      expect(text.length).toBe(bytes);
      const body = JSON.parse(text.toString('utf8')) as PageBody;
      expect(body.response.length).toBeGreaterThan(perPage);
      expect(new Set(body.response.map((t) => t.ticketID))).toEqual(
        new Set(
          sim
            .list(101, 0)
            .slice(0, perPage)
            .map((t) => t.ticketID),
        ),
      );
      expect(body.pagination).toMatchObject({ currentPage: 1, perPage, totalItems: 1000 });
      expect(body.requestID).toBe(res.headers.get('x-request-id'));
      expect(sim.requests.at(-1)!.bytesSent).toBe(bytes);
    },
  );

  it('when the list is empty, then the huge body is still filled with valid tickets', async () => {
    sim.setList(101, 0, []);
    sim.injectFault({ kind: 'huge-body', bytes: MiB });
    const body = (await (await postDetractors(sim, page1)).json()) as PageBody;
    expect(body.response.length).toBeGreaterThan(100);
    expect(validators.success({ ...body, response: body.response.slice(0, 20) })).toBe(true);
  });
});

describe('repeat-page', () => {
  it('when every page repeats page 1, then each claims to be the page asked for among a billion', async () => {
    const real = await getPage(sim, 101, 0, 1, 10);
    sim.injectFault({ kind: 'repeat-page', times: 2 });

    for (const page of [2, 7]) {
      const body = await getPage(sim, 101, 0, page, 10);
      expect(validators.success(body)).toBe(true);
      expect(body.response).toEqual(real.response);
      expect(body.pagination).toMatchObject({
        currentPage: page,
        perPage: 10,
        totalPages: 1_000_000_000,
        totalItems: 10_000_000_000,
      });
      expect(sim.requests.at(-1)).toMatchObject({ fault: 'repeat-page', httpStatus: 200, page, requestId: body.requestID });
    }
    expect((await getPage(sim, 101, 0, 2, 10)).response).not.toEqual(real.response);
  });

  it('when totalPages is given, then totalItems follows it', async () => {
    sim.injectFault({ kind: 'repeat-page', totalPages: 5 });
    const body = await getPage(sim, 101, 0, 3, 4);
    expect(body.pagination).toMatchObject({ currentPage: 3, totalPages: 5, totalItems: 20 });
    expect(body.response).toHaveLength(4);
  });
});

describe('endless', () => {
  it('when pages are endless, then each carries perPage fresh valid tickets and totals that cannot be true', async () => {
    sim.injectFault({ kind: 'endless', times: 3 });
    const listed = new Set(sim.list(101, 0).map((t) => t.ticketID));

    const pages = [await getPage(sim, 101, 0, 1, 10), await getPage(sim, 101, 0, 2, 10), await getPage(sim, 101, 0, 50_000, 10)];

    const ids = pages.flatMap((p) => p.response.map((t) => t.ticketID));
    expect(new Set(ids).size).toBe(30);
    expect(ids.filter((id) => listed.has(id))).toEqual([]);
    for (const body of pages) expect(validators.success(body)).toBe(true);
    expect(pages.map((p) => p.pagination.currentPage)).toEqual([1, 2, 50_000]);
    expect(pages[2]!.pagination).toMatchObject({ totalItems: 10, totalPages: 1_000_000_000, perPage: 10 });
    expect(sim.requests.map((r) => r.fault)).toEqual(['endless', 'endless', 'endless']);
  });

  it('when totals are given, then the pages announce them', async () => {
    sim.injectFault({ kind: 'endless', totalItems: 0, totalPages: 3 });
    const body = await getPage(sim, 101, 0, 3, 5);
    expect(body.pagination).toMatchObject({ totalItems: 0, totalPages: 3, currentPage: 3 });
    expect(body.response).toHaveLength(5);
  });

  it('when an endless fault matches page 2 only, then pages 1 and the retried page 2 are real', async () => {
    sim.injectFault({ kind: 'endless', match: { page: 2 } });
    const real = sim.list(101, 0).map((t) => t.ticketID);
    expect((await getPage(sim, 101, 0, 1, 10)).response.map((t) => t.ticketID)).toEqual(real.slice(0, 10));
    expect((await getPage(sim, 101, 0, 2, 10)).response.map((t) => t.ticketID)).not.toEqual(real.slice(10, 20));
    expect((await getPage(sim, 101, 0, 2, 10)).response.map((t) => t.ticketID)).toEqual(real.slice(10, 20));
  });
});

describe('echo-key', () => {
  it('when a proxy echoes the headers, then its HTML error page contains the api key', async () => {
    sim.injectFault({ kind: 'echo-key' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    const text = await res.text();
    expect(text).toContain('<title>502 Bad Gateway</title>');
    expect(text).toContain(`upstream rejected request with headers`);
    expect(text).toContain(`api-key: ${API_KEY}`);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'echo-key', httpStatus: 502 });
  });

  it('when the echo is JSON with status 503, then a vendor-style envelope carries the key in its message', async () => {
    sim.injectFault({ kind: 'echo-key', format: 'json', status: 503 });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { response: { error: { name: string; message: string; httpStatusCode: number } } };
    expect(validators.error(body)).toBe(true);
    expect(body.response.error).toMatchObject({ name: 'SERVICE_UNAVAILABLE', httpStatusCode: 503 });
    expect(body.response.error.message).toContain(`api-key: ${API_KEY}`);
  });
});

describe('custom', () => {
  it('when a raw text is given, then it is sent verbatim, unsafe integer and escapes included', async () => {
    const text = '{"response":[{"ticketID":9007199254740993,"comment":"nul \\u0000 and lone \\ud83d"}],"requestID":"x"}';
    sim.injectFault({ kind: 'custom', body: text });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe(text);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'custom', httpStatus: 200, requestId: res.headers.get('x-request-id') });
  });

  it('when the body is a function of the page, then it gets the page the request would have received', async () => {
    const real = await getPage(sim, 101, 0, 2, 10);
    sim.injectFault({
      kind: 'custom',
      status: 299,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Extra': 'yes' },
      body: (page) => `${page.pagination.currentPage}:${page.response.map((t) => t.ticketID).join(',')}:${page.requestID}`,
    });
    const res = await postDetractors(sim, { query: 'page=2&perPage=10' });
    expect(res.status).toBe(299);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(await res.text()).toBe(`2:${real.response.map((t) => t.ticketID).join(',')}:${res.headers.get('x-request-id')}`);
  });

  it('when the body function throws, then the simulator answers a 500 that says so', async () => {
    sim.injectFault({
      kind: 'custom',
      body: () => {
        throw new Error('boom');
      },
    });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('simulator custom fault body failed: boom');
  });
});

describe('hostile fault specs', () => {
  it.each([
    [{ kind: 'custom' }, TypeError],
    [{ kind: 'slow-body', intervalMs: 0 }, RangeError],
    [{ kind: 'huge-body', bytes: -1 }, RangeError],
    [{ kind: 'endless', totalPages: 0 }, RangeError],
    [{ kind: 'endless', totalItems: 1.5 }, RangeError],
    [{ kind: 'echo-key', status: 101 }, RangeError],
    [{ kind: 'echo-key', format: 'xml' }, TypeError],
    [{ kind: 'custom', body: '', headers: { 'bad header': 'x' } }, TypeError],
    [{ kind: 'custom', body: '', headers: { 'x-ok': 'line\nbreak' } }, TypeError],
  ] as const)('when the spec is %o, then injectFault throws at once', (spec, error) => {
    // Node's header validators throw errors of Node's realm: compare by name.
    expect(() => sim.injectFault(spec as never)).toThrow(expect.objectContaining({ name: error.name }));
  });
});

describe('per-key limits', () => {
  let limited: QuestionProSimulator;
  afterEach(() => limited.close());

  const call = (apiKey: string) => postDetractors(limited, { ...page1, apiKey });

  it('when one key uses up its per-minute window, then another key still gets answers', async () => {
    limited = await QuestionProSimulator.start({
      apiKey: API_KEY,
      extraApiKeys: ['second-key'],
      rateLimitPerMinute: 2,
      lists: [{ segmentId: 101, status: 0, count: 30 }],
    });
    const first = [(await call(API_KEY)).status, (await call(API_KEY)).status];
    const refused = await call(API_KEY);
    const second = [(await call('second-key')).status, (await call('second-key')).status];

    expect(first).toEqual([200, 200]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(second).toEqual([200, 200]);
    expect([limited.callsByKey(API_KEY), limited.callsByKey('second-key'), limited.callsByKey('unknown')]).toEqual([2, 2, 0]);
    expect((await call('unknown')).status).toBe(401);
  });

  it('when a key has made its allowance of calls, then every later call answers the quota 429 while other keys go on', async () => {
    limited = await QuestionProSimulator.start({
      apiKey: API_KEY,
      extraApiKeys: ['second-key'],
      callAllowance: 3,
      lists: [{ segmentId: 101, status: 0, count: 30 }],
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(API_KEY)).status);
    const over = [await call(API_KEY), await call(API_KEY)];

    expect(statuses).toEqual([200, 200, 200]);
    for (const res of over) {
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBeNull();
      const body = (await res.json()) as { response: { error: Record<string, unknown> } };
      expect(body.response.error).toMatchObject({ id: '1013', httpStatusCode: 429 });
      expect(String(body.response.error.message)).toMatch(/^API call limit exceeded/);
    }
    expect(limited.callsByKey(API_KEY)).toBe(5);
    expect((await call('second-key')).status).toBe(200);
  });

  it('when the per-minute window refuses a call, then the allowance does not count it', async () => {
    limited = await QuestionProSimulator.start({
      apiKey: API_KEY,
      rateLimitPerMinute: 1,
      callAllowance: 1,
      lists: [{ segmentId: 101, status: 0, count: 3 }],
    });
    expect((await call(API_KEY)).status).toBe(200);
    const refused = await call(API_KEY);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(limited.callsByKey(API_KEY)).toBe(1);
  });
});
