import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClientObserver } from '../questionpro/client.js';
import type { RunObserver } from '../sync/run-observer.js';

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
    help: 'Sync runs finished, by final status (succeeded, partial, failed, aborted).',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'detractor_sync_run_in_progress',
    help: '1 while a sync run is in progress, else 0.',
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.running.set(0);
  }

  /** Seeds the last-success gauges from the database, so a restart does not look stale. */
  setLastSuccess(segmentId: number, status: number, at: Date): void {
    this.lastSuccess.set({ segment_id: String(segmentId), status: String(status) }, at.getTime() / 1000);
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
    onRunStart: () => this.running.set(1),
    onRunEnd: ({ status, durationMs }) => {
      this.running.set(0);
      this.runs.inc({ status });
      this.runDuration.observe({ status }, durationMs / 1000);
    },
    onListEnd: ({ segmentId, status, outcome, code, counts, finishedAt }) => {
      const labels = { segment_id: String(segmentId), status: String(status) };
      this.lists.inc({ ...labels, outcome });
      if (code === 'BUDGET_DEFERRED') this.deferrals.inc(labels);
      this.tickets.inc({ ...labels, result: 'inserted' }, counts.ticketsInserted);
      this.tickets.inc({ ...labels, result: 'updated' }, counts.ticketsUpdated);
      this.tickets.inc({ ...labels, result: 'unchanged' }, counts.ticketsUnchanged);
      this.tickets.inc({ ...labels, result: 'rejected' }, counts.ticketsRejected);
      if (outcome === 'succeeded') this.setLastSuccess(segmentId, status, finishedAt);
    },
  };
}
