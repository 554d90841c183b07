import path from 'node:path';
import type { Logger } from 'pino';
import { secretsOf, type Config } from '../config/config.js';
import { isConnectionError } from '../db/db-retry.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { createDb, type Db } from '../db/prisma.js';
import { SyncError, errorMessage } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { PROJECT_ROOT } from '../project-root.js';
import { QuestionProClient, type ClientObserver } from '../questionpro/client.js';
import type { RunObserver } from '../sync/run-observer.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';
import type { ListRef } from '../questionpro/pages.js';
import type { RunTrigger } from '../runs/run-types.js';
import { runSync, type RunReport } from '../sync/run-sync.js';

/** Where runs without DATABASE_URL keep their embedded PostgreSQL. */
export const EMBEDDED_DATA_DIR = path.join(PROJECT_ROOT, '.data', 'pg');
export const EMBEDDED_PORT = 54329;

export interface Runtime {
  readonly db: Db;
  readonly databaseUrl: string;
  readonly embedded: EmbeddedDatabase | undefined;
  readonly client: QuestionProClient;
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

export function createClient(config: Config, log: Logger, observer?: ClientObserver): QuestionProClient {
  // One limiter per process and key: every list and page shares the allowance.
  const limiter = new SlidingWindowLimiter(config.questionpro.rateLimitPerMinute);
  return new QuestionProClient({ ...config.questionpro, retry: config.retry }, log, limiter, observer);
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
  options: { migrateNow?: boolean; observers?: RuntimeObservers } = {},
): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: EMBEDDED_PORT, log });
    databaseUrl = embedded.url;
    log.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded postgres started (DATABASE_URL unset)');
  }
  const url = databaseUrl;
  let migrated: Promise<void> | undefined;
  const ensureMigrated = () => {
    migrated ??= migrate(url, log).then(
      (applied) => log.info({ database: maskUrlPassword(url), applied: applied.length }, 'database ready'),
      (error: unknown) => {
        migrated = undefined;
        if (isConnectionError(error)) {
          throw new SyncError('DB_UNAVAILABLE', `cannot reach the database at ${maskUrlPassword(url)}: ${errorMessage(error)}`, {
            cause: error,
            fatal: true,
          });
        }
        throw error;
      },
    );
    return migrated;
  };
  if (options.migrateNow ?? true) {
    try {
      await ensureMigrated();
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }
  const db = createDb(url);
  const client = createClient(config, log, options.observers?.client);
  const redactor = new SecretRedactor(secretsOf(config));
  return {
    db,
    databaseUrl: url,
    embedded,
    client,
    ensureMigrated,
    sync: async (trigger, lists, signal) => {
      await ensureMigrated();
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
        { trigger, lists },
      );
    },
    close: async () => {
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}
