import path from 'node:path';
import type { Logger } from 'pino';
import { secretsOf, type Config } from '../config/config.js';
import { isConnectionError } from '../db/db-retry.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { withSearchPath } from '../db/connection-url.js';
import { applyReportingConfig } from '../db/reporting-config.js';
import { createDb, type Db } from '../db/prisma.js';
import { SyncError, errorMessage } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { PROJECT_ROOT } from '../project-root.js';
import { QuestionProClient, combineObservers, type ClientObserver } from '../questionpro/client.js';
import type { RunObserver } from '../sync/run-observer.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';
import { ApiBudget } from '../budget/api-budget.js';
import { GateChain } from '../budget/shared-limiter.js';
import type { ListRef } from '../questionpro/pages.js';
import type { RunTrigger } from '../runs/run-types.js';
import { runSync, type RunReport } from '../sync/run-sync.js';

/** Where runs without DATABASE_URL keep their embedded PostgreSQL. */
export const EMBEDDED_DATA_DIR = path.join(PROJECT_ROOT, '.data', 'pg');

export interface Runtime {
  readonly db: Db;
  readonly databaseUrl: string;
  readonly embedded: EmbeddedDatabase | undefined;
  readonly client: QuestionProClient;
  /** The API call ledger, the shared limit and budget, and each run's plan. */
  readonly budget: ApiBudget;
  /** Applies pending migrations once; after a failure the next call tries again. */
  ensureMigrated(): Promise<void>;
  /** One sync run with this runtime's database, client and completeness policy. */
  sync(trigger: RunTrigger, lists: readonly ListRef[], signal?: AbortSignal): Promise<RunReport>;
  close(): Promise<void>;
}

export interface RuntimeObservers {
  readonly client?: ClientObserver;
  readonly run?: RunObserver;
}

/**
 * The API client behind two gates: this process's limiter (no database round trip
 * while the process alone would exceed the rate) and the ledger shared by every process.
 */
function createClient(config: Config, log: Logger, budget: ApiBudget, observer?: ClientObserver): QuestionProClient {
  const gate = new GateChain([new SlidingWindowLimiter(config.questionpro.rateLimitPerMinute), budget.gate]);
  return new QuestionProClient(
    { ...config.questionpro, retry: config.retry },
    log,
    gate,
    combineObservers(observer, budget.observer),
  );
}

/**
 * Everything a command needs: the database (DATABASE_URL, or an embedded PostgreSQL
 * in .data/), migrated before first use, and the rate-limited API client. With
 * `migrateNow: false` (the long-running worker) an unreachable database is not fatal:
 * each run tries again.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  options: { migrateNow?: boolean; observers?: RuntimeObservers; embeddedIsExpected?: boolean } = {},
): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: config.embeddedPostgresPort, log });
    databaseUrl = embedded.url;
    const where = { dataDir: embedded.dataDir, port: embedded.port };
    // Fine for the demo; for a real account, data landing where no BI tool looks is a mistake to say out loud.
    if (options.embeddedIsExpected) log.info(where, 'embedded postgres started (DATABASE_URL unset)');
    else
      log.warn(
        where,
        'DATABASE_URL is not set: syncing into an embedded PostgreSQL under .data/, where no BI tool will look; set DATABASE_URL',
      );
  }
  const shownUrl = maskUrlPassword(databaseUrl);
  const url = withSearchPath(databaseUrl, config.databaseSchema);
  const db = createDb(url);
  let migrated: Promise<void> | undefined;
  const ensureMigrated = () => {
    migrated ??= (async () => {
      const applied = await migrate(url, log, { allowMismatch: config.migrations.allowMismatch });
      await applyReportingConfig(db, config);
      log.info({ database: shownUrl, schema: config.databaseSchema, applied: applied.length }, 'database ready');
    })().catch((error: unknown) => {
      migrated = undefined;
      if (isConnectionError(error)) {
        throw new SyncError('DB_UNAVAILABLE', `cannot reach the database at ${shownUrl}: ${errorMessage(error)}`, {
          cause: error,
          fatal: true,
        });
      }
      throw error;
    });
    return migrated;
  };
  if (options.migrateNow ?? true) {
    try {
      await ensureMigrated();
    } catch (error) {
      await db.$disconnect();
      await embedded?.stop();
      throw error;
    }
  }
  const budget = new ApiBudget(db, config, log);
  const client = createClient(config, log, budget, options.observers?.client);
  const redactor = new SecretRedactor(secretsOf(config));
  return {
    db,
    databaseUrl: url,
    embedded,
    client,
    budget,
    ensureMigrated,
    sync: async (trigger, lists, signal) => {
      await ensureMigrated();
      const plan = await budget.plan(lists);
      log.info(
        {
          read: plan.lists.filter((l) => l.mode === 'read').length,
          verify: plan.lists.filter((l) => l.mode === 'verify').length,
          deferred: plan.deferred.length,
          notDue: plan.notDue.length,
          allowance: plan.allowance,
        },
        'run planned',
      );
      return runSync(
        {
          db,
          databaseUrl: url,
          source: client,
          log,
          signal,
          policy: { maxPasses: config.sync.maxPasses, confirmPass: config.sync.confirmPass },
          concurrency: config.sync.concurrency,
          observer: options.observers?.run,
          redactor,
        },
        { trigger, lists: plan.lists, deferred: plan.deferred, verifyAllowance: plan.verifyAllowance },
      );
    },
    close: async () => {
      await budget.close();
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}
