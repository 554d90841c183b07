import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { freePort } from '../../src/db/embedded-postgres.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { startCli, type CliProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  ALERT_RULES,
  ALERT_TESTS,
  checkFiringAlerts,
  inputSeries,
  parseExposition,
  promtool,
  promtoolUnavailable,
  type ExpectedAlert,
} from '../support/promtool.js';
import { waitFor } from '../support/poll.js';

const unavailable = promtoolUnavailable();
if (unavailable) {
  // Visible in the test output, so a skipped check is never mistaken for a passed one.
  console.warn(`Alert rule checks skipped: ${unavailable}`);
}
const describePromtool = unavailable ? describe.skip : describe;

const KEY = 'alerts-key-5d2e-must-not-leak';

describePromtool('the alert rules (promtool)', () => {
  test('when promtool checks deploy/prometheus/alerts.yml, then every rule is valid', async () => {
    const result = await promtool(['check', 'rules', ALERT_RULES]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  test('when promtool runs deploy/prometheus/alerts.test.yml, then each alert fires and stays quiet where it should', async () => {
    const result = await promtool(['test', 'rules', ALERT_TESTS]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});

describePromtool("the alert rules evaluated on a real worker's /metrics", () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase | undefined;
  let worker: CliProcess | undefined;
  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 961, status: 0, count: 25 },
        { segmentId: 962, status: 0, count: 15 },
      ],
    });
  });
  afterEach(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await tdb?.close();
    tdb = undefined;
    sim.clearFaults();
  });
  afterAll(async () => sim.close());

  /** The built worker as a child process, its endpoint on a port found free just now; the first run starts at once. */
  async function startWorker(extra: Record<string, string> = {}): Promise<number> {
    tdb ??= await createTestDatabase();
    const port = await freePort();
    worker = startCli(['worker'], {
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: sim.baseUrl,
      SYNC_SEGMENTS: '961,962',
      SYNC_PAGE_SIZE: '10',
      SYNC_CRON: '0 0 1 1 *',
      RETRY_ATTEMPTS: '1',
      RETRY_MIN_DELAY_MS: '10',
      DATABASE_URL: tdb.url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      ...extra,
    });
    await worker.waitForLine((l) => l['msg'] === 'status endpoint listening');
    return port;
  }

  async function scrape(port: number): Promise<{ text: string; at: Date }> {
    const at = new Date();
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return { text: await response.text(), at };
  }

  /** The scrape as an hour of history of the job the rules watch, and the alerts firing at its end. */
  async function alertsOn(scraped: { text: string; at: Date }, expected: readonly ExpectedAlert[]) {
    const target = { job: 'detractor-sync', instance: 'worker:8080' };
    const samples = parseExposition(scraped.text).filter((s) => s.name.startsWith('detractor_sync_'));
    const series = [
      ...inputSeries(samples, { scrapedAt: scraped.at, target, counters: 'rising' }),
      // The scrape itself succeeded.
      { series: `up{job="${target.job}",instance="${target.instance}"}`, values: '1x60' },
    ];
    const verdict = await checkFiringAlerts(series, expected);
    expect(verdict.output).toContain('SUCCESS');
    expect(verdict.code).toBe(0);
  }

  test('when the worker synced every list, then no alert fires', async () => {
    const port = await startWorker();
    await worker!.waitForLine((l) => l['msg'] === 'run finished');
    // Once the lists are judged fresh (a moment after the run's last log line), not before.
    const scraped = await waitFor(async () => {
      const s = await scrape(port);
      return (s.text.match(/^detractor_sync_list_stale_after_seconds\{/gm) ?? []).length === 2 ? s : undefined;
    });
    await alertsOn(scraped, []);
  });

  test('when the database is unreachable at start, then DetractorSyncRunStartFailures fires', async () => {
    const dbPort = await freePort();
    const port = await startWorker({ DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/nowhere` });
    await worker!.waitForLine((l) => l['msg'] === 'run could not start');
    const scraped = await waitFor(async () => {
      const s = await scrape(port);
      return /^detractor_sync_run_start_failures_total 1$/m.test(s.text) ? s : undefined;
    });
    await alertsOn(scraped, [{ alertname: 'DetractorSyncRunStartFailures' }]);
  });

  test('when a list fails and never synced, then DetractorSyncListFailing and DetractorSyncDataStale fire for that list only', async () => {
    sim.injectFault({ kind: '500', times: 1_000, match: { segmentId: 962 } });
    const port = await startWorker();
    await worker!.waitForLine((l) => l['msg'] === 'run finished');
    // Judged stale once the worker has taken the run's report (a moment after its last log line).
    const scraped = await waitFor(async () => {
      const s = await scrape(port);
      return /^detractor_sync_list_stale\{segment_id="962",status="0"\} 1$/m.test(s.text) ? s : undefined;
    });
    await alertsOn(scraped, [
      { alertname: 'DetractorSyncDataStale', segment_id: '962', status: '0' },
      { alertname: 'DetractorSyncListFailing', segment_id: '962', status: '0' },
    ]);
  });

  test('when no list synced within SYNC_STALE_AFTER_SECONDS, then DetractorSyncDataStale fires for each list', async () => {
    const port = await startWorker({ SYNC_STALE_AFTER_SECONDS: '1' });
    await worker!.waitForLine((l) => l['msg'] === 'run finished');
    const scraped = await waitFor(async () => {
      const s = await scrape(port);
      return (s.text.match(/^detractor_sync_list_stale\{.*\} 1$/gm) ?? []).length === 2 ? s : undefined;
    });
    await alertsOn(scraped, [
      { alertname: 'DetractorSyncDataStale', segment_id: '961', status: '0' },
      { alertname: 'DetractorSyncDataStale', segment_id: '962', status: '0' },
    ]);
  });

  test('when the API sends a record that cannot be stored, then DetractorSyncRecordsQuarantined fires for its list', async () => {
    sim.injectFault({ kind: 'invalid-record', match: { segmentId: 961 } });
    const port = await startWorker();
    await worker!.waitForLine((l) => l['msg'] === 'run finished');
    const [rejects] = await tdb!.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_rejects WHERE segment_id = 961');
    expect(rejects?.n).toBeGreaterThan(0);
    await alertsOn(await scrape(port), [{ alertname: 'DetractorSyncRecordsQuarantined', segment_id: '961', status: '0' }]);
  });
});
