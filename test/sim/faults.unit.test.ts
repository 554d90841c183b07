import { QuestionProSimulator } from '../../src/sim/server.js';
import { documentedValidators } from './documented-schemas.js';
import { API_KEY, getPage, postDetractors } from './sim-http.js';

const validators = documentedValidators();
let sim: QuestionProSimulator;

beforeEach(async () => {
  sim = await QuestionProSimulator.start({ apiKey: API_KEY, lists: [{ segmentId: 101, status: 0, count: 30 }] });
});
afterEach(() => sim.close());

const page1 = { query: 'page=1&perPage=10' };

// fetch's errors come from Node's realm, not jest's, so instanceof TypeError fails: compare by shape.
const FETCH_FAILED = { name: 'TypeError', message: 'fetch failed' };

async function errorOf(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as { response: { error: Record<string, unknown> }; requestID: string };
  expect(validators.error(body)).toBe(true);
  expect(body.requestID).toBe(res.headers.get('x-request-id'));
  return body.response.error;
}

describe('injected faults', () => {
  it('when a 500 is injected, then the answer claims JSON but does not parse, like the documented example', async () => {
    sim.injectFault({ kind: '500' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(text).toContain('"docs": www.questionpro.com/api/error-codes.html');
    expect(text).toContain('"name": "INTERNAL_SERVER_ERROR"');
    expect(text).toContain('"id" : "1026"');
    expect(text).toContain(`"requestID": "${res.headers.get('x-request-id')}"`);
  });

  it.each([
    ['502', 502, 'BAD_GATEWAY'],
    ['504', 504, 'GATEWAY_TIMEOUT'],
    ['403', 403, 'FORBIDDEN'],
  ] as const)('when a %s is injected, then it answers that status with a JSON error envelope', async (kind, status, name) => {
    sim.injectFault({ kind });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(status);
    expect(await errorOf(res)).toMatchObject({ name, httpStatusCode: status });
  });

  it('when a 403 is injected, then its id is 1013 as on the error-codes page', async () => {
    sim.injectFault({ kind: '403' });
    expect(await errorOf(await postDetractors(sim, page1))).toMatchObject({ id: '1013' });
  });

  it('when a 503-html is injected, then it answers an HTML page as a proxy would', async () => {
    sim.injectFault({ kind: '503-html' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html');
    const text = await res.text();
    expect(text).toMatch(/^<html>[\s\S]*503 Service Unavailable[\s\S]*<\/html>\s*$/);
  });

  it('when a 429 is injected with retryAfterSeconds, then it carries Retry-After', async () => {
    sim.injectFault({ kind: '429', retryAfterSeconds: 7 });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await errorOf(res)).toMatchObject({ name: 'RATE_LIMIT', message: 'Rate limit exceeded', httpStatusCode: 429 });
  });

  it('when a 429 is injected without retryAfterSeconds, then there is no Retry-After', async () => {
    sim.injectFault({ kind: '429' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('when a 429-quota is injected, then it says the API call limit is exceeded, id 1013', async () => {
    sim.injectFault({ kind: '429-quota' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    const error = await errorOf(res);
    expect(error).toMatchObject({ id: '1013', httpStatusCode: 429 });
    expect(error.message).toMatch(/^API call limit exceeded/);
  });

  it('when a reset is injected, then the fetch rejects with a socket error and the request is logged', async () => {
    sim.injectFault({ kind: 'reset' });
    const failure = await postDetractors(sim, page1).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject(FETCH_FAILED);
    expect(String((failure as Error).cause)).toMatch(/ECONNRESET|socket|closed/i);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'reset', httpStatus: 0, page: 1 });
    expect((await postDetractors(sim, page1)).status).toBe(200);
  });

  it('when a timeout is injected with delayMs, then no answer comes and the socket is destroyed', async () => {
    sim.injectFault({ kind: 'timeout', delayMs: 300 });
    await expect(postDetractors(sim, page1)).rejects.toMatchObject(FETCH_FAILED);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'timeout', httpStatus: 0 });
  });

  // A 30 s hang that close() did not end would outlast the test's own 10 s limit.
  it('when a default 30 s timeout is pending, then close() ends it', async () => {
    sim.injectFault({ kind: 'timeout' });
    const pending = postDetractors(sim, page1).catch((err: unknown) => err);
    await sim.arrived(1);
    await sim.close();
    expect(await pending).toMatchObject(FETCH_FAILED);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'timeout', httpStatus: 0 });
  }, 10_000);

  it('when a bad-envelope is injected, then it answers 200 without pagination', async () => {
    sim.injectFault({ kind: 'bad-envelope' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('pagination');
    expect(body.response).toHaveLength(10);
    expect(validators.success(body)).toBe(false);
  });

  it('when an invalid-record is injected, then exactly one record has ticketID "abc"', async () => {
    sim.injectFault({ kind: 'invalid-record' });
    const res = await postDetractors(sim, page1);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response: Array<{ ticketID: unknown }> };
    expect(body.response.filter((t) => t.ticketID === 'abc')).toHaveLength(1);
    expect(validators.success(body)).toBe(false);
  });

  it('when a fault is injected for 2 times, then 2 requests fail, the third succeeds, and all are logged', async () => {
    sim.injectFault({ kind: '502', times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postDetractors(sim, page1)).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(sim.requests.map((r) => [r.httpStatus, r.fault])).toEqual([
      [502, '502'],
      [502, '502'],
      [200, undefined],
    ]);
  });

  it('when a fault matches page 2 only, then page 1 is unaffected and page 2 fails once', async () => {
    sim.injectFault({ kind: '504', match: { segmentId: 101, status: 0, page: 2 } });
    expect((await getPage(sim, 101, 0, 1, 10)).response).toHaveLength(10);
    expect((await postDetractors(sim, { query: 'page=2&perPage=10' })).status).toBe(504);
    expect((await getPage(sim, 101, 0, 2, 10)).response).toHaveLength(10);
  });

  it('when a fault matches another segment, then requests for this one are unaffected', async () => {
    sim.setList(202, 0, sim.generate(202, 0, 3));
    sim.injectFault({ kind: '500', match: { segmentId: 202 } });
    expect((await postDetractors(sim, { segmentId: 101 })).status).toBe(200);
    expect((await postDetractors(sim, { segmentId: 202 })).status).toBe(500);
  });

  it('when faults are cleared, then requests succeed again', async () => {
    sim.injectFault({ kind: '500', times: 5 });
    sim.clearFaults();
    expect((await postDetractors(sim, page1)).status).toBe(200);
  });

  it('when a request is invalid, then it does not use up a fault', async () => {
    sim.injectFault({ kind: '500' });
    expect((await postDetractors(sim, { apiKey: 'wrong' })).status).toBe(401);
    expect((await postDetractors(sim, page1)).status).toBe(500);
  });

  it('when a fault spec is malformed, then injectFault throws at once', () => {
    expect(() => sim.injectFault({ kind: '418' as never })).toThrow(/unknown fault kind/);
    expect(() => sim.injectFault({ kind: '500', times: 0 })).toThrow(RangeError);
  });
});
