import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import type { Readiness } from '../../src/observability/readiness.js';
import { SyncMetrics } from '../../src/observability/metrics.js';
import { renderStatusPage, type StatusPage } from '../../src/observability/status-page.js';
import { startStatusServer, type StatusServer } from '../../src/observability/status-server.js';

// The endpoint over real HTTP on 127.0.0.1, fed what the worker would feed it: a page and
// a readiness answer, ready or not (the worker builds them from its database).

const NOW = new Date('2026-11-28T12:00:00Z');
const ROUTES = ['/', '/healthz', '/readyz', '/metrics'] as const;

/** The headers of an answer, without the ones that change from one answer to the next. */
function stableHeaders(response: Response): Record<string, string> {
  const headers = Object.fromEntries(response.headers.entries());
  delete headers['date'];
  delete headers['keep-alive'];
  delete headers['connection'];
  return headers;
}

describe.each([
  [
    'healthy',
    { status: 200, html: renderStatusPage({ report: { runs: [], lists: [], openTickets: [], apiBudget: undefined }, now: NOW }) },
    { ready: true, database: { ok: true }, lists: [], reasons: [] },
  ],
  [
    'whose database is down',
    { status: 503, html: renderStatusPage({ databaseError: 'connect ECONNREFUSED 127.0.0.1:5', now: NOW }) },
    { ready: false, database: { ok: false, error: 'down' }, lists: [], reasons: ['database: down'] },
  ],
] as const)('the status endpoint of a worker %s', (_, page: StatusPage, readiness: Readiness) => {
  let server: StatusServer;
  let base: string;

  beforeAll(async () => {
    server = await startStatusServer({
      host: '127.0.0.1',
      port: 0,
      metrics: new SyncMetrics(),
      readiness: () => Promise.resolve(readiness),
      statusPage: () => Promise.resolve(page),
      log: pino({ level: 'silent' }),
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => server?.close());

  test.each(ROUTES)(
    'when %s is asked with HEAD, then it answers the status and headers of GET, without a body',
    async (route) => {
      const got = await fetch(`${base}${route}`);
      const gotBody = await got.text();
      const head = await fetch(`${base}${route}`, { method: 'HEAD' });

      expect(head.status).toBe(got.status);
      // /metrics' process figures (CPU, memory) change between two reads, and its length with them.
      const lengthless = (r: Response) => ({
        ...stableHeaders(r),
        'content-length': route === '/metrics' ? 'any' : stableHeaders(r)['content-length'],
      });
      expect(lengthless(head)).toEqual(lengthless(got));
      expect(head.headers.get('content-length')).toMatch(/^[1-9]\d*$/);
      if (route !== '/metrics') expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(gotBody)));
      expect(await head.text()).toBe('');
      expect(gotBody.length).toBeGreaterThan(0);
    },
  );

  test('when the page and readiness are asked with HEAD, then their status is what GET says (200 healthy, 503 down)', async () => {
    for (const route of ['/', '/readyz']) {
      const head = await fetch(`${base}${route}`, { method: 'HEAD' });
      expect({ route, status: head.status }).toEqual({ route, status: page.status });
    }
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  test.each(['DELETE', 'POST', 'PUT', 'OPTIONS'])(
    'when a route is asked with %s, then it answers 405 with an Allow header listing GET and HEAD',
    async (method) => {
      for (const route of ROUTES) {
        const response = await fetch(`${base}${route}`, { method });
        expect({ route, status: response.status, allow: response.headers.get('allow') }).toEqual({
          route,
          status: 405,
          allow: 'GET, HEAD',
        });
      }
    },
  );

  test('when an unknown path is asked, then it answers 404 naming the routes, whatever the method', async () => {
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      const response = await fetch(`${base}/nowhere`, { method });
      expect(response.status).toBe(404);
    }
    expect(await (await fetch(`${base}/nowhere`)).json()).toEqual({ error: 'not found', routes: [...ROUTES] });
  });
});
