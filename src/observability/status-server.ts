import http from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';
import type { SyncMetrics } from './metrics.js';
import type { StatusPage } from './status-page.js';

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What a route answers: its status, headers and body. HEAD gets the same status and headers, without the body. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const json = (status: number, body: unknown): Answer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The methods every route answers: HEAD for uptime checks that read only the status. */
const ALLOWED_METHODS = 'GET, HEAD';

/**
 * The worker's status endpoint: / (the status page, for people), /healthz (the process
 * answers), /readyz (database and freshness, 503 with the reasons when not ready) and
 * /metrics (Prometheus). Plain node:http: four routes do not need a framework. It
 * answers while a sync runs and while the database is down. Each route answers GET and
 * HEAD (the same status and headers, no body); any other method gets 405 with `Allow`.
 */
export async function startStatusServer(options: {
  host: string;
  port: number;
  metrics: SyncMetrics;
  readiness: () => Promise<Readiness>;
  /** The HTML status page; it says itself when the database is down (503). */
  statusPage: () => Promise<StatusPage>;
  log: Logger;
}): Promise<StatusServer> {
  const routes: Readonly<Record<string, () => Promise<Answer>>> = {
    '/': () =>
      options.statusPage().then(
        (page) => ({
          status: page.status,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            // The page is its own: inline style and SVG, nothing to load, no script to run.
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
            // A page read after the database came back must not be an old copy.
            'cache-control': 'no-store',
          },
          body: page.html,
        }),
        (error: unknown) => json(500, { error: String(error) }),
      ),
    '/healthz': () => Promise.resolve(json(200, { status: 'ok' })),
    '/readyz': () =>
      options.readiness().then(
        (r) => json(r.ready ? 200 : 503, r),
        (error: unknown) => json(503, { ready: false, reasons: [String(error)] }),
      ),
    '/metrics': () =>
      options.metrics.registry.metrics().then(
        (text) => ({ status: 200, headers: { 'content-type': options.metrics.registry.contentType }, body: text }),
        (error: unknown) => json(500, { error: String(error) }),
      ),
  };
  const send = (res: http.ServerResponse, answer: Answer, extra: Record<string, string> = {}) => {
    // The length is stated, so a HEAD answer carries the very headers GET would.
    res.writeHead(answer.status, { ...answer.headers, ...extra, 'content-length': String(Buffer.byteLength(answer.body)) });
    // For a HEAD request node:http sends the headers only.
    res.end(answer.body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send(res, json(404, { error: 'not found', routes: Object.keys(routes) }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, json(405, { error: 'method not allowed', allow: ALLOWED_METHODS }), { allow: ALLOWED_METHODS });
    }
    void route().then((answer) => send(res, answer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.log.info({ host: options.host, port }, 'status endpoint listening');
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
