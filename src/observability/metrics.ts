import { Counter, Gauge, Histogram, Pushgateway, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClientObserver } from '../questionpro/client.js';
import type { ListCounts } from '../lists/counts.js';
import type { ListOutcome, RunStatus } from '../lists/outcomes.js';
import type { RunObserver } from '../sync/run-observer.js';
import type { ListFreshness } from './readiness.js';

/** The statuses a finished run reports, and what a list or a ticket can come to: each series exists from the start. */
const RUN_STATUSES = ['succeeded', 'partial', 'failed', 'aborted', 'skipped'] as const satisfies readonly RunStatus[];
const LIST_OUTCOMES = ['succeeded', 'partial', 'failed', 'skipped', 'aborted'] as const satisfies readonly ListOutcome[];
/** The `result` label of detractor_sync_tickets_total, and the list counter it adds. */
const TICKET_RESULTS = {
  inserted: 'ticketsInserted',
  updated: 'ticketsUpdated',
  unchanged: 'ticketsUnchanged',
  rejected: 'ticketsRejected',
} as const satisfies Record<string, keyof ListCounts>;

/** The Pushgateway job of one-shot syncs; the alert rules select it by this name. */
export const PUSH_JOB = 'detractor-sync';
const PUSH_TIMEOUT_MS = 10_000;

/**
 * One read shared by the gauges of a scrape: prom-client collects them concurrently, so
 * each would otherwise query the database on its own. A failed read gives undefined.
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let pending: Promise<T | undefined> | undefined;
  return () => {
    pending ??= read()
      .catch(() => undefined)
      .finally(() => setTimeout(() => (pending = undefined), 1_000).unref());
    return pending;
  };
}

/**
 * The worker's Prometheus metrics (prom-client), fed by the API client's and the run's
 * observer hooks. Names follow Prometheus conventions: `detractor_sync_` prefix,
 * `_total` counters, `_seconds` units. Segment and status are labels: a handful of
 * lists per deployment, so cardinality stays small.
 */
export class SyncMetrics {
  readonly registry = new Registry();

  private readonly runDuration = new Histogram({
    name: 'detractor_sync_run_duration_seconds',
    help: 'Duration of sync runs, by final status.',
    labelNames: ['status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: 'detractor_sync_runs_total',
    help: 'Sync runs finished, by final status (succeeded, partial, failed, aborted, skipped).',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly runStartFailures = new Counter({
    name: 'detractor_sync_run_start_failures_total',
    help: 'Runs that could not start (database unreachable, migrations failed): nothing recorded in sync_runs.',
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'detractor_sync_run_in_progress',
    help: '1 while a sync run is in progress, else 0.',
    registers: [this.registry],
  });
  private readonly runStarted = new Gauge({
    name: 'detractor_sync_run_started_timestamp_seconds',
    help: 'Unix time the run in progress started; 0 while no run is in progress.',
    registers: [this.registry],
  });
  private readonly tickets = new Counter({
    name: 'detractor_sync_tickets_total',
    help: 'Tickets written or checked, by list and result (inserted, updated, unchanged, rejected).',
    labelNames: ['segment_id', 'status', 'result'],
    registers: [this.registry],
  });
  private readonly lists = new Counter({
    name: 'detractor_sync_lists_total',
    help: 'Lists (segment x status) synced, by outcome (succeeded, partial, failed, skipped, aborted).',
    labelNames: ['segment_id', 'status', 'outcome'],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'detractor_sync_last_success_timestamp_seconds',
    help: 'Unix time of the last successful sync of each list.',
    labelNames: ['segment_id', 'status'],
    registers: [this.registry],
  });
  private readonly listStale = new Gauge({
    name: 'detractor_sync_list_stale',
    help: '1 when a configured list has not synced successfully within its bound (judged as /readyz does, at each scrape), else 0. 0 until the first sync finished.',
    labelNames: ['segment_id', 'status'],
    registers: [this.registry],
    collect: () => this.judgeFreshness(),
  });
  private readonly listStaleAfter = new Gauge({
    name: 'detractor_sync_list_stale_after_seconds',
    help: "A list's freshness bound: SYNC_STALE_AFTER_SECONDS (default 3 schedule intervals) plus its status's SYNC_STATUS_INTERVALS. Set once the first sync finished.",
    labelNames: ['segment_id', 'status'],
    registers: [this.registry],
    collect: () => this.judgeFreshness(),
  });
  private readonly apiRequests = new Counter({
    name: 'detractor_sync_api_requests_total',
    help: 'QuestionPro API requests, by outcome (ok, error, network, timeout, invalid-response) and HTTP status code.',
    labelNames: ['outcome', 'status_code'],
    registers: [this.registry],
  });
  private readonly apiRetries = new Counter({
    name: 'detractor_sync_api_retries_total',
    help: 'API requests retried after a transient failure, by error code.',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly retryAfterWaits = new Counter({
    name: 'detractor_sync_rate_limit_waits_total',
    help: 'Waits for a Retry-After header of a 429 answer.',
    registers: [this.registry],
  });
  private readonly retryAfterSeconds = new Counter({
    name: 'detractor_sync_rate_limit_wait_seconds_total',
    help: 'Time spent waiting for Retry-After headers.',
    registers: [this.registry],
  });
  private readonly deferrals = new Counter({
    name: 'detractor_sync_budget_deferrals_total',
    help: 'Lists a run did not read because the API call budget had no room for them (BUDGET_DEFERRED).',
    labelNames: ['segment_id', 'status'],
    registers: [this.registry],
  });
  private readonly quotaExhausted = new Counter({
    name: 'detractor_sync_api_quota_exhausted_total',
    help: 'Answers saying the licence API call allowance is used up (429 quota).',
    registers: [this.registry],
  });
  private readonly notifications = new Counter({
    name: 'detractor_sync_notifications_total',
    help: 'Messages to NOTIFY_WEBHOOK_URL, by event (lists_failing, lists_recovered, allowance_exhausted, lists_stale, budget_forecast_short) and outcome (delivered; failed: retries spent, the next run tries again).',
    labelNames: ['event', 'outcome'],
    registers: [this.registry],
  });

  private freshness: (() => Promise<readonly ListFreshness[] | undefined>) | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.running.set(0);
    this.runStarted.set(0);
    // A series born with its first failure hides that failure from increase(): start every known one at 0.
    for (const status of RUN_STATUSES) this.runs.inc({ status }, 0);
    this.apiRequests.inc({ outcome: 'error', status_code: '429' }, 0);
  }

  /** The configured lists: every per-list series starts at 0, so the first failure after a restart counts. */
  initLists(lists: ReadonlyArray<{ readonly segmentId: number; readonly status: number }>): void {
    for (const list of lists) {
      const labels = { segment_id: String(list.segmentId), status: String(list.status) };
      for (const outcome of LIST_OUTCOMES) this.lists.inc({ ...labels, outcome }, 0);
      for (const result of Object.keys(TICKET_RESULTS)) this.tickets.inc({ ...labels, result }, 0);
      this.deferrals.inc(labels, 0);
    }
  }

  /**
   * Each scrape asks `judge` (the /readyz check) which lists are stale. Until it judges
   * them (no sync finished yet) the lists are not stale; while it cannot (the database is
   * down) they keep their last value.
   */
  watchFreshness(
    lists: ReadonlyArray<{ readonly segmentId: number; readonly status: number }>,
    judge: () => Promise<{ readonly lists: readonly ListFreshness[] }>,
  ): void {
    for (const list of lists) this.listStale.set({ segment_id: String(list.segmentId), status: String(list.status) }, 0);
    this.freshness = sharedRead(async () => (await judge()).lists);
  }

  private async judgeFreshness(): Promise<void> {
    for (const list of (await this.freshness?.()) ?? []) {
      const labels = { segment_id: String(list.segmentId), status: String(list.status) };
      this.listStale.set(labels, list.stale ? 1 : 0);
      this.listStaleAfter.set(labels, list.limitSeconds);
    }
  }

  /** Seeds the last-success gauges from the database, so a restart does not look stale. */
  setLastSuccess(segmentId: number, status: number, at: Date): void {
    this.lastSuccess.set({ segment_id: String(segmentId), status: String(status) }, at.getTime() / 1000);
  }

  /** A run that could not start: no run row is written, so only this counter tells. */
  runNotStarted(): void {
    this.runStartFailures.inc();
    this.running.set(0);
    this.runStarted.set(0);
  }

  /** A message to the webhook delivered, or finally not (retries spent). */
  notification(event: string, outcome: 'delivered' | 'failed'): void {
    this.notifications.inc({ event, outcome });
  }

  /**
   * Replaces this job's group on a Prometheus Pushgateway (PUT) with every metric of the
   * registry: a one-shot sync cannot be scraped. Rejects when the gateway refuses or
   * does not answer within 10 s.
   */
  async push(gatewayUrl: string, grouping: Readonly<Record<string, string>>): Promise<void> {
    const gateway = new Pushgateway(gatewayUrl, { timeout: PUSH_TIMEOUT_MS }, this.registry);
    await gateway.push({ jobName: PUSH_JOB, groupings: { ...grouping } });
  }

  readonly client: ClientObserver = {
    onResponse: ({ status, outcome }) =>
      this.apiRequests.inc({ outcome, status_code: status === undefined ? 'none' : String(status) }),
    onRetry: ({ code }) => this.apiRetries.inc({ code }),
    onRetryAfterWait: ({ waitMs }) => {
      this.retryAfterWaits.inc();
      this.retryAfterSeconds.inc(waitMs / 1000);
    },
    onFatal: ({ code }) => {
      if (code === 'API_QUOTA_EXHAUSTED') this.quotaExhausted.inc();
    },
  };

  readonly run: RunObserver = {
    onRunStart: () => {
      this.running.set(1);
      this.runStarted.set(Date.now() / 1000);
    },
    onRunEnd: ({ status, durationMs }) => {
      this.running.set(0);
      this.runStarted.set(0);
      this.runs.inc({ status });
      this.runDuration.observe({ status }, durationMs / 1000);
    },
    onListEnd: ({ segmentId, status, outcome, code, counts, finishedAt }) => {
      const labels = { segment_id: String(segmentId), status: String(status) };
      this.lists.inc({ ...labels, outcome });
      if (code === 'BUDGET_DEFERRED') this.deferrals.inc(labels);
      for (const [result, field] of Object.entries(TICKET_RESULTS)) this.tickets.inc({ ...labels, result }, counts[field]);
      if (outcome === 'succeeded') this.setLastSuccess(segmentId, status, finishedAt);
    },
  };
}
