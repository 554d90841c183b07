import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { freePort } from '../../src/db/embedded-postgres.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { checkFiringAlerts, inputSeries, parseExposition, promtoolUnavailable, type ExpectedAlert } from '../support/promtool.js';
import { unreachableDatabaseUrl } from '../support/worker-under-test.js';

const KEY = 'push-key-7f3b-must-not-leak';

interface Push {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

/** A stand-in Pushgateway on 127.0.0.1 (a port the system picks): records each push, answers `status`. */
async function fakePushgateway(status = 200): Promise<{ url: string; pushes: Push[]; close(): Promise<void> }> {
  const pushes: Push[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', path: req.url ?? '', body });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? '' : 'pushgateway is having a bad day');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const promtoolMissing = promtoolUnavailable();
if (promtoolMissing) console.warn(`Alert rules on pushed metrics skipped: ${promtoolMissing}`);

/**
 * The pushed body as the Pushgateway serves it to Prometheus for an hour: every value
 * held (the group keeps the last push), with the push's time; then the alerts firing.
 */
async function expectAlertsOnPush(push: Push, pushedAt: Date, expected: readonly ExpectedAlert[]): Promise<void> {
  if (promtoolMissing) return;
  const target = { job: 'detractor-sync', instance: os.hostname() };
  const samples = parseExposition(push.body).filter((s) => s.name.startsWith('detractor_sync_'));
  const pushTime = { name: 'push_time_seconds', labels: '', value: pushedAt.getTime() / 1000, type: 'gauge' };
  const series = inputSeries([...samples, pushTime], { scrapedAt: pushedAt, target, counters: 'held' });
  const verdict = await checkFiringAlerts(series, expected);
  expect(verdict.output).toContain('SUCCESS');
  expect(verdict.code).toBe(0);
}

describe('npm run sync with METRICS_PUSHGATEWAY_URL (the built CLI, a fake Pushgateway)', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let gateway: Awaited<ReturnType<typeof fakePushgateway>> | undefined;
  const env = (pushgatewayUrl: string | undefined) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '971,972',
    SYNC_PAGE_SIZE: '20',
    RETRY_ATTEMPTS: '1',
    RETRY_MIN_DELAY_MS: '10',
    DATABASE_URL: tdb.url,
    METRICS_PUSHGATEWAY_URL: pushgatewayUrl,
  });

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 971, status: 0, count: 30 },
        { segmentId: 972, status: 0, count: 10 },
      ],
    });
    tdb = await createTestDatabase();
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    sim.clearFaults();
  });
  afterAll(async () => {
    await sim.close();
    await tdb.close();
  });

  test('when the sync succeeds, then its metrics are pushed once, under the job and this host, and no CronJob alert fires', async () => {
    gateway = await fakePushgateway();
    sim.requests.length = 0;
    const result = await runCli(['sync'], env(gateway.url));
    const pushedAt = new Date();

    expect(result.code).toBe(0);
    expect(gateway.pushes).toHaveLength(1);
    const [push] = gateway.pushes;
    expect(push!.method).toBe('PUT');
    expect(push!.path).toBe(`/metrics/job/detractor-sync/instance/${encodeURIComponent(os.hostname())}`);
    const body = push!.body;
    expect(body).toMatch(/^detractor_sync_runs_total\{status="succeeded"\} 1$/m);
    for (const status of ['partial', 'failed', 'aborted', 'skipped']) {
      expect(body).toMatch(new RegExp(`^detractor_sync_runs_total\\{status="${status}"\\} 0$`, 'm'));
    }
    expect(body).toMatch(/^detractor_sync_lists_total\{segment_id="971",status="0",outcome="succeeded"\} 1$/m);
    expect(body).toMatch(/^detractor_sync_lists_total\{segment_id="972",status="0",outcome="failed"\} 0$/m);
    expect(body).toMatch(/^detractor_sync_tickets_total\{segment_id="971",status="0",result="inserted"\} 30$/m);
    expect(body).toMatch(/^detractor_sync_run_start_failures_total 0$/m);
    // The API client's observer feeds the same registry.
    const ok = sim.requests.filter((r) => r.httpStatus === 200).length;
    expect(body).toMatch(new RegExp(`^detractor_sync_api_requests_total\\{outcome="ok",status_code="200"\\} ${ok}$`, 'm'));
    expect(result.lines.find((l) => l['msg'] === 'metrics pushed')).toMatchObject({ job: 'detractor-sync' });
    expect(result.stdout).not.toContain(KEY);
    await expectAlertsOnPush(push!, pushedAt, []);
  });

  test('when a list fails, then it exits 1, the pushed run is partial and DetractorSyncCronJobRunFailed fires', async () => {
    gateway = await fakePushgateway();
    sim.injectFault({ kind: '500', times: 1_000, match: { segmentId: 972 } });
    const result = await runCli(['sync'], env(gateway.url));
    const pushedAt = new Date();

    expect(result.code).toBe(1);
    expect(gateway.pushes).toHaveLength(1);
    const body = gateway.pushes[0]!.body;
    expect(body).toMatch(/^detractor_sync_runs_total\{status="partial"\} 1$/m);
    expect(body).toMatch(/^detractor_sync_lists_total\{segment_id="972",status="0",outcome="failed"\} 1$/m);
    await expectAlertsOnPush(gateway.pushes[0]!, pushedAt, [{ alertname: 'DetractorSyncCronJobRunFailed' }]);
  });

  test('when the database is unreachable, then it exits 1 and the push says the run could not start', async () => {
    gateway = await fakePushgateway();
    const result = await runCli(['sync'], { ...env(gateway.url), DATABASE_URL: await unreachableDatabaseUrl() });
    const pushedAt = new Date();

    expect(result.code).toBe(1);
    expect(gateway.pushes).toHaveLength(1);
    const body = gateway.pushes[0]!.body;
    expect(body).toMatch(/^detractor_sync_run_start_failures_total 1$/m);
    expect(body).toMatch(/^detractor_sync_runs_total\{status="succeeded"\} 0$/m);
    await expectAlertsOnPush(gateway.pushes[0]!, pushedAt, [{ alertname: 'DetractorSyncCronJobRunFailed' }]);
  });

  test('when the Pushgateway answers 500, then the sync still exits 0 and logs a warning', async () => {
    gateway = await fakePushgateway(500);
    const result = await runCli(['sync'], env(gateway.url));

    expect(result.code).toBe(0);
    expect(gateway.pushes).toHaveLength(1);
    const warning = result.lines.find((l) => l['msg'] === 'metrics not pushed');
    expect(warning).toMatchObject({ level: 40, pushgateway: `${gateway.url}/` });
    expect(String(warning?.['errMessage'])).toContain('500');
  });

  test('when the Pushgateway is unreachable, then the sync still exits 0 and logs a warning', async () => {
    const port = await freePort();
    const result = await runCli(['sync'], env(`http://127.0.0.1:${port}`));

    expect(result.code).toBe(0);
    const warning = result.lines.find((l) => l['msg'] === 'metrics not pushed');
    expect(warning).toMatchObject({ level: 40 });
    expect(String(warning?.['errMessage'])).toMatch(/ECONNREFUSED/);
  });

  test('when METRICS_PUSHGATEWAY_URL is unset, then nothing is pushed', async () => {
    const result = await runCli(['sync'], env(undefined));

    expect(result.code).toBe(0);
    expect(result.lines.filter((l) => /^metrics (not )?pushed$/.test(String(l['msg'])))).toEqual([]);
  });
});
