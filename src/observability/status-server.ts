import http from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';
import type { SyncMetrics } from './metrics.js';
import type { StatusPage } from './status-page.js';

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The worker's status endpoint: / (the status page, for people), /healthz (the process
 * answers), /readyz (database and freshness, 503 with the reasons when not ready) and
 * /metrics (Prometheus). Plain node:http: four routes do not need a framework. It
 * answers while a sync runs and while the database is down.
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
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/') {
      void options.statusPage().then(
        (page) => {
          res.writeHead(page.status, {
            'content-type': 'text/html; charset=utf-8',
            // The page is its own: inline style and SVG, nothing to load, no script to run.
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
            // A page read after the database came back must not be an old copy.
            'cache-control': 'no-store',
          });
          res.end(page.html);
        },
        (error: unknown) => json(res, 500, { error: String(error) }),
      );
      return;
    }
    if (path === '/readyz') {
      void options.readiness().then(
        (r) => json(res, r.ready ? 200 : 503, r),
        (error: unknown) => json(res, 503, { ready: false, reasons: [String(error)] }),
      );
      return;
    }
    if (path === '/metrics') {
      void options.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
          res.end(text);
        },
        (error: unknown) => json(res, 500, { error: String(error) }),
      );
      return;
    }
    json(res, 404, { error: 'not found', routes: ['/', '/healthz', '/readyz', '/metrics'] });
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
