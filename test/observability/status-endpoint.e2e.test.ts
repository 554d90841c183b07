import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { waitFor } from '../support/poll.js';
import { unreachableDatabaseUrl, workerPerTest, type WorkerUnderTest } from '../support/worker-under-test.js';

const KEY = 'status-key-91ab-must-not-leak';

/** Prometheus text format -> { 'name{labels}': value }. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function get(worker: WorkerUnderTest, route: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${worker.url}${route}`);
  return { status: response.status, body: await response.text() };
}

describe('the worker status endpoint (real worker process, scraped over HTTP)', () => {
  const workers = workerPerTest({
    apiKey: KEY,
    lists: [
      { segmentId: 951, status: 0, count: 35 },
      { segmentId: 952, status: 0, count: 20 },
    ],
  });
  test('when a sync has run, then /metrics counts equal the database and /readyz is ready', async () => {
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');

    expect((await get(w, '/healthz')).status).toBe(200);
    const ready = await get(w, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, database: { ok: true } });

    // Freshness is judged once the worker has taken the run's report (a moment after its last log line).
    const metrics = await waitFor(async () => {
      const m = parseMetrics((await get(w, '/metrics')).body);
      return m.has('detractor_sync_list_stale_after_seconds{segment_id="952",status="0"}') ? m : undefined;
    });
    const rows = await workers.tdb.query<{ segment_id: string; tickets_inserted: number; tickets_unchanged: number }>(
      'SELECT segment_id, tickets_inserted, tickets_unchanged FROM sync_run_segments ORDER BY segment_id',
    );
    for (const row of rows) {
      expect(metrics.get(`detractor_sync_tickets_total{segment_id="${row.segment_id}",status="0",result="inserted"}`)).toBe(
        row.tickets_inserted,
      );
      expect(metrics.get(`detractor_sync_tickets_total{segment_id="${row.segment_id}",status="0",result="unchanged"}`)).toBe(
        row.tickets_unchanged,
      );
      expect(metrics.get(`detractor_sync_lists_total{segment_id="${row.segment_id}",status="0",outcome="succeeded"}`)).toBe(1);
    }
    const [stored] = await workers.tdb.query<{ n: number }>('SELECT count(*)::int AS n FROM detractor_tickets');
    expect(stored?.n).toBe(55);
    expect(metrics.get('detractor_sync_runs_total{status="succeeded"}')).toBe(1);
    expect(metrics.get('detractor_sync_run_in_progress')).toBe(0);
    expect(metrics.get('detractor_sync_run_duration_seconds_count{status="succeeded"}')).toBe(1);
    expect(metrics.get('detractor_sync_api_requests_total{outcome="ok",status_code="200"}')).toBe(
      workers.sim.requests.filter((r) => r.httpStatus === 200).length,
    );
    const lastSuccess = metrics.get('detractor_sync_last_success_timestamp_seconds{segment_id="951",status="0"}')!;
    expect(Math.abs(lastSuccess * 1000 - Date.now())).toBeLessThan(60_000);
    expect(metrics.has('process_resident_memory_bytes')).toBe(true);
    // The worker's own freshness judgement, as /readyz makes it, and its bound (3 yearly intervals).
    for (const segment of ['951', '952']) {
      expect(metrics.get(`detractor_sync_list_stale{segment_id="${segment}",status="0"}`)).toBe(0);
      expect(metrics.get(`detractor_sync_list_stale_after_seconds{segment_id="${segment}",status="0"}`)).toBeGreaterThan(
        3 * 86_400,
      );
    }
    expect(metrics.get('detractor_sync_run_started_timestamp_seconds')).toBe(0);
    expect(metrics.get('detractor_sync_run_start_failures_total')).toBe(0);
    // No API_CALL_BUDGET: no budget gauge (a labelless 0 would be a budget every pace overruns).
    expect(metrics.has('detractor_sync_api_budget_calls')).toBe(false);
    expect(metrics.has('detractor_sync_api_budget_projected_calls')).toBe(true);
  });

  test('when a list fails, then the failure and its API status show in /metrics and /readyz says which list', async () => {
    workers.sim.requests.length = 0;
    workers.sim.injectFault({ kind: '500', times: 10, match: { segmentId: 952 } });
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');

    const metrics = parseMetrics((await get(w, '/metrics')).body);
    expect(metrics.get('detractor_sync_lists_total{segment_id="952",status="0",outcome="failed"}')).toBe(1);
    expect(metrics.get('detractor_sync_runs_total{status="partial"}')).toBe(1);
    expect(metrics.get('detractor_sync_api_requests_total{outcome="error",status_code="500"}')).toBe(2);
    expect(metrics.get('detractor_sync_api_retries_total{code="API_HTTP_500"}')).toBe(1);
    // Never synced once the first sync finished (a moment after the run's last log line): stale, as /readyz says.
    const judged = await waitFor(async () => {
      const m = parseMetrics((await get(w, '/metrics')).body);
      return m.get('detractor_sync_list_stale{segment_id="952",status="0"}') === 1 ? m : undefined;
    });
    expect(judged.get('detractor_sync_list_stale{segment_id="951",status="0"}')).toBe(0);
    const ready = await get(w, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).reasons).toEqual(['segment 952 status 0: never synced successfully']);
  });

  test('when the last success grows older than the bound, then /readyz turns 503 naming the stale lists', async () => {
    const w = await workers.start({ SYNC_STALE_AFTER_SECONDS: '1' });
    await w.waitForLine((l) => l['msg'] === 'run finished');
    const stale = await waitFor(async () => {
      const r = await get(w, '/readyz');
      const body = JSON.parse(r.body) as { lists: Array<{ segmentId: number; stale: boolean }>; reasons: string[] };
      return r.status === 503 && body.lists.every((l) => l.stale) ? body : undefined;
    });
    expect(stale.lists.map((l) => [l.segmentId, l.stale])).toEqual([
      [951, true],
      [952, true],
    ]);
    expect(stale.reasons[0]).toMatch(/^segment 951 status 0: last success \d+ s ago \(limit 1 s\)$/);
    const metrics = parseMetrics((await get(w, '/metrics')).body);
    for (const segment of ['951', '952']) {
      expect(metrics.get(`detractor_sync_list_stale{segment_id="${segment}",status="0"}`)).toBe(1);
      expect(metrics.get(`detractor_sync_list_stale_after_seconds{segment_id="${segment}",status="0"}`)).toBe(1);
    }
  });

  test('when the database is down, then /healthz still answers and /readyz says why', async () => {
    const w = await workers.start({ DATABASE_URL: await unreachableDatabaseUrl() });
    expect((await get(w, '/healthz')).status).toBe(200);
    const ready = await get(w, '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: false, database: { ok: false } });
    // A reason that says something: the refused connection, not an empty string.
    expect(JSON.parse(ready.body).reasons[0]).toMatch(/^database: \S.{3,}/);
    expect(JSON.parse(ready.body).database.error).toMatch(/\S/);

    // The run that could not start is counted, and every series a rule counts exists at 0
    // before any run: the first failure after a restart is an increase from 0.
    await w.waitForLine((l) => l['msg'] === 'run could not start');
    const metrics = parseMetrics((await get(w, '/metrics')).body);
    expect(metrics.get('detractor_sync_run_start_failures_total')).toBe(1);
    expect(metrics.get('detractor_sync_run_in_progress')).toBe(0);
    expect(metrics.get('detractor_sync_run_started_timestamp_seconds')).toBe(0);
    for (const status of ['succeeded', 'partial', 'failed', 'aborted', 'skipped']) {
      expect(metrics.get(`detractor_sync_runs_total{status="${status}"}`)).toBe(0);
    }
    for (const segment of ['951', '952']) {
      const list = `segment_id="${segment}",status="0"`;
      for (const outcome of ['succeeded', 'partial', 'failed', 'skipped', 'aborted']) {
        expect(metrics.get(`detractor_sync_lists_total{${list},outcome="${outcome}"}`)).toBe(0);
      }
      for (const result of ['inserted', 'updated', 'unchanged', 'rejected']) {
        expect(metrics.get(`detractor_sync_tickets_total{${list},result="${result}"}`)).toBe(0);
      }
      expect(metrics.get(`detractor_sync_budget_deferrals_total{${list}}`)).toBe(0);
      // Not judged before a first sync finished.
      expect(metrics.get(`detractor_sync_list_stale{${list}}`)).toBe(0);
    }
    expect(metrics.get('detractor_sync_api_requests_total{outcome="error",status_code="429"}')).toBe(0);
  });

  test('while a run is in progress, then /metrics says since when; once it ends, 0', async () => {
    // The simulator holds the run's first request until released.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    workers.sim.onRequest(() => {
      arrived();
      return held;
    });
    const before = Date.now() / 1000;
    const w = await workers.start();
    await inFlight;

    const during = parseMetrics((await get(w, '/metrics')).body);
    expect(during.get('detractor_sync_run_in_progress')).toBe(1);
    const started = during.get('detractor_sync_run_started_timestamp_seconds')!;
    expect(started).toBeGreaterThanOrEqual(before);
    expect(started).toBeLessThanOrEqual(Date.now() / 1000);

    release();
    await w.waitForLine((l) => l['msg'] === 'run finished');
    const after = parseMetrics((await get(w, '/metrics')).body);
    expect(after.get('detractor_sync_run_in_progress')).toBe(0);
    expect(after.get('detractor_sync_run_started_timestamp_seconds')).toBe(0);
  });

  test('when the alert rules are read, then every metric they use is one /metrics exposes', async () => {
    const w = await workers.start();
    await w.waitForLine((l) => l['msg'] === 'run finished');
    // Every metric /metrics declares (# HELP), whether or not it has samples yet.
    const text = (await get(w, '/metrics')).body;
    const exposed = new Set([...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]!));
    const rules = parse(readFileSync(path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const used = rules.groups.flatMap((g) => g.rules).flatMap((r) => r.expr.match(/detractor_sync_[a-z_]+/g) ?? []);
    expect(used.length).toBeGreaterThanOrEqual(12);
    const missing = [...new Set(used)].filter((name) => !exposed.has(name));
    expect(missing).toEqual([]);
    const alerts = rules.groups.flatMap((g) => g.rules).map((r) => r.alert);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'DetractorSyncDown',
        'DetractorSyncRunStartFailures',
        'DetractorSyncDataStale',
        'DetractorSyncRepeatedFailures',
        'DetractorSyncListFailing',
        'DetractorSyncRecordsQuarantined',
        'DetractorSyncRateLimited',
        'DetractorSyncQuotaExhausted',
        'DetractorSyncApiBudgetOverrun',
        'DetractorSyncStuckRun',
        'DetractorSyncCronJobNotReporting',
        'DetractorSyncCronJobRunFailed',
      ]),
    );
    // The worker's rules and the one-shot sync's pushes both carry the job prometheus.yml scrapes.
    const jobs = rules.groups.flatMap((g) => g.rules).flatMap((r) => [...r.expr.matchAll(/\bjob="([^"]*)"/g)].map((m) => m[1]));
    expect(new Set(jobs)).toEqual(new Set(['detractor-sync']));
  });
});
