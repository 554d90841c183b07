import type { Logger } from 'pino';
import { ApiBudget } from '../budget/api-budget.js';
import { secretsOf, type Config } from '../config/config.js';
import { applyReportingConfig } from '../db/sql/reporting.js';
import type { ListRef } from '../lists/list.js';
import type { RunTrigger } from '../lists/outcomes.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { combineObservers, type ClientObserver, type QuestionProClient } from '../questionpro/client.js';
import { ActiveRuns } from '../runs/active-runs.js';
import { pruneHistory } from '../runs/retention.js';
import type { DeliveryOutcome } from '../notify/notifier.js';
import { combineRunObservers, type RunObserver } from '../sync/run-observer.js';
import { runSync, type RunReport } from '../sync/run-sync.js';
import { createApiClient } from './api-client.js';
import { runNotifier } from './notifications.js';
import { openDatabase, type Database, type OpenDatabaseOptions } from './open-database.js';

export interface Runtime {
  readonly database: Database;
  readonly client: QuestionProClient;
  /** The API call ledger, the shared limit and budget, and each run's plan. */
  readonly budget: ApiBudget;
  /** The runs in progress, for a forced stop to record them aborted. */
  readonly activeRuns: ActiveRuns;
  /**
   * One sync run with this runtime's database, client and completeness policy, planned
   * within the budget; `watch` follows this run alone (a terminal's progress display).
   */
  sync(trigger: RunTrigger, lists: readonly ListRef[], signal?: AbortSignal, watch?: RunWatch): Promise<RunReport>;
  close(): Promise<void>;
}

/** Observers of one run: its lists and pages, and every call its client sends. */
export interface RunWatch {
  readonly run?: RunObserver;
  readonly client?: ClientObserver;
}

export interface RuntimeOptions {
  /** 'now' (default): migrate before returning; 'lazy' (the long-running worker): an unreachable database is not fatal, each run tries again. */
  readonly migrate?: OpenDatabaseOptions['migrate'];
  /** The demo expects the embedded database; real syncs warn about it. */
  readonly embedded?: 'expected' | 'warn';
  readonly observers?: {
    readonly client?: ClientObserver;
    readonly run?: RunObserver;
    /** A message to NOTIFY_WEBHOOK_URL delivered or finally not. */
    readonly notification?: (event: string, outcome: DeliveryOutcome) => void;
  };
  /** Each page's log line: info (default), or debug where a terminal shows progress instead. */
  readonly pageLogLevel?: 'info' | 'debug';
}

/**
 * Everything a syncing command needs, wired once: the database (with the reporting
 * settings written after its migrations), the budget and its ledger, the rate-limited
 * API client, the secret redactor, each run planned within the budget, and the history
 * beyond the retention window pruned after it.
 */
export async function openRuntime(config: Config, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const database = await openDatabase(config, log, {
    embedded: options.embedded ?? 'warn',
    migrate: options.migrate ?? 'now',
    afterMigrations: (db) => applyReportingConfig(db, config),
    migrations: config.migrations,
  });
  const budget = new ApiBudget(database.db, config, log);
  // The client is made once; the watch of the run under way hears its calls.
  let watching: RunWatch | undefined;
  const relay: ClientObserver = { onResponse: (event) => watching?.client?.onResponse?.(event) };
  const client = createApiClient(config, log, budget, { observer: combineObservers(options.observers?.client, relay) });
  const redactor = new SecretRedactor(secretsOf(config));
  const activeRuns = new ActiveRuns();
  const notify = runNotifier(config, log, { db: database.db, budget, redactor, onDelivery: options.observers?.notification });
  return {
    database,
    client,
    budget,
    activeRuns,
    sync: async (trigger, lists, signal, watch) => {
      watching = watch;
      try {
        return await syncPlanned(trigger, lists, signal, watch);
      } finally {
        watching = undefined;
      }
    },
    close: async () => {
      await budget.close();
      await database.close();
    },
  };

  async function syncPlanned(trigger: RunTrigger, lists: readonly ListRef[], signal?: AbortSignal, watch?: RunWatch) {
    await database.ensureMigrated();
    const plan = await budget.plan(lists);
    log.info(
      {
        probe: plan.lists.filter((l) => l.mode === 'probe').length,
        full: plan.lists.filter((l) => l.mode === 'full').length,
        deferred: plan.deferred.length,
        notDue: plan.notDue.length,
        allowance: plan.allowance,
        pool: Number.isFinite(plan.pool) ? plan.pool : undefined,
      },
      'run planned',
    );
    const report = await runSync(
      {
        db: database.db,
        databaseUrl: database.url,
        source: client,
        log,
        signal,
        policy: { maxPasses: config.sync.maxPasses, confirmPass: config.sync.confirmPass },
        concurrency: config.sync.concurrency,
        observer: combineRunObservers(options.observers?.run, watch?.run),
        pageLogLevel: options.pageLogLevel,
        redactor,
        activeRuns,
      },
      { trigger, lists: plan.lists, deferred: plan.deferred, pool: plan.pool },
    );
    // After the run's records: the database now says what changed. A shutdown cuts its retries short.
    await notify?.(lists, signal);
    // After the run, not before: a prune never delays a sync, and a bounded part of a
    // long history goes each run (RETENTION_DAYS).
    await pruneHistory(database.url, log, config.retentionDays, { signal });
    return report;
  }
}
