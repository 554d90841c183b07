import { describe, expect, test } from '@jest/globals';
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
import { unreachableDatabaseUrl, workerPerTest, type WorkerUnderTest } from '../support/worker-under-test.js';

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
  const workers = workerPerTest({
    apiKey: KEY,
    lists: [
      { segmentId: 961, status: 0, count: 25 },
      { segmentId: 962, status: 0, count: 15 },
    ],
  });
  async function scrape(w: WorkerUnderTest): Promise<{ text: string; at: Date }> {
    const at = new Date();
    const response = await fetch(`${w.url}/metrics`);
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
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');
    // Once the lists are judged fresh (a moment after the run's last log line), not before.
    const scraped = await waitFor(async () => {
      const s = await scrape(w);
      return (s.text.match(/^detractor_sync_list_stale_after_seconds\{/gm) ?? []).length === 2 ? s : undefined;
    });
    await alertsOn(scraped, []);
  });

  test('when the database is unreachable at start, then DetractorSyncRunStartFailures fires', async () => {
    const w = await workers.start({ DATABASE_URL: await unreachableDatabaseUrl() });
    await w.waitForLine((l) => l['msg'] === 'run could not start');
    const scraped = await waitFor(async () => {
      const s = await scrape(w);
      return /^detractor_sync_run_start_failures_total 1$/m.test(s.text) ? s : undefined;
    });
    await alertsOn(scraped, [{ alertname: 'DetractorSyncRunStartFailures' }]);
  });

  test('when a list fails and never synced, then DetractorSyncListFailing and DetractorSyncDataStale fire for that list only', async () => {
    workers.sim.injectFault({ kind: '500', times: 1_000, match: { segmentId: 962 } });
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');
    // Judged stale once the worker has taken the run's report (a moment after its last log line).
    const scraped = await waitFor(async () => {
      const s = await scrape(w);
      return /^detractor_sync_list_stale\{segment_id="962",status="0"\} 1$/m.test(s.text) ? s : undefined;
    });
    await alertsOn(scraped, [
      { alertname: 'DetractorSyncDataStale', segment_id: '962', status: '0' },
      { alertname: 'DetractorSyncListFailing', segment_id: '962', status: '0' },
    ]);
  });

  test('when no list synced within SYNC_STALE_AFTER_SECONDS, then DetractorSyncDataStale fires for each list', async () => {
    const w = await workers.start({ SYNC_STALE_AFTER_SECONDS: '1' });
    await w.waitForLine((l) => l['msg'] === 'run finished');
    const scraped = await waitFor(async () => {
      const s = await scrape(w);
      return (s.text.match(/^detractor_sync_list_stale\{.*\} 1$/gm) ?? []).length === 2 ? s : undefined;
    });
    await alertsOn(scraped, [
      { alertname: 'DetractorSyncDataStale', segment_id: '961', status: '0' },
      { alertname: 'DetractorSyncDataStale', segment_id: '962', status: '0' },
    ]);
  });

  test('when the API sends a record that cannot be stored, then DetractorSyncRecordsQuarantined fires for its list', async () => {
    workers.sim.injectFault({ kind: 'invalid-record', match: { segmentId: 961 } });
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');
    const [rejects] = await workers.tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_rejects WHERE segment_id = 961');
    expect(rejects?.n).toBeGreaterThan(0);
    await alertsOn(await scrape(w), [{ alertname: 'DetractorSyncRecordsQuarantined', segment_id: '961', status: '0' }]);
  });
});
