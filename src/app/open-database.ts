import type { Logger } from 'pino';
import type { DatabaseConfig } from '../config/command-configs.js';
import type { MigrationSettings } from '../config/config.js';
import { EMBEDDED_DATA_DIR } from '../config/defaults.js';
import { withSearchPath } from '../db/connection-url.js';
import { isConnectionError } from '../db/db-retry.js';
import { runningEmbeddedServer, startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { migrate, type MigrateOptions } from '../db/migrate.js';
import { createDb, type Db } from '../db/prisma.js';
import { SyncError, errorMessage } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';

/** The database a command works in, migrated before first use. */
export interface Database {
  readonly db: Db;
  /** The connection URL, DATABASE_SCHEMA in its search_path: what every other connection of the process opens. */
  readonly url: string;
  /** The URL without its password, for messages. */
  readonly shownUrl: string;
  /** The embedded server this process started (DATABASE_URL unset), if any. */
  readonly embedded: EmbeddedDatabase | undefined;
  /** Applies pending migrations (and what `afterMigrations` adds) once; after a failure the next call tries again. */
  ensureMigrated(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /**
   * When DATABASE_URL is unset: 'expected' (the demo: no warning), 'warn' (real syncs:
   * data lands where no BI tool looks) or 'share' (status: read through the server a
   * running demo or worker holds, else start it quietly).
   */
  readonly embedded: 'expected' | 'warn' | 'share';
  /** 'now': migrate before returning (closing everything again on failure); 'lazy': at the first ensureMigrated(). */
  readonly migrate: 'now' | 'lazy';
  /** Run after the migrations, under the same once-only guard (e.g. the reporting settings). */
  readonly afterMigrations?: (db: Db) => Promise<void>;
  /** MIGRATIONS_*: mismatches that only warn, and how migrations wait for their locks; unset: the defaults. */
  readonly migrations?: MigrationSettings;
  readonly poolMax?: number;
}

/**
 * Opens the database of a command: DATABASE_URL, or the embedded PostgreSQL with its
 * data in .data/; DATABASE_SCHEMA as search_path on every connection; migrations
 * applied once. The one place these steps are written.
 */
export async function openDatabase(config: DatabaseConfig, log: Logger, options: OpenDatabaseOptions): Promise<Database> {
  const { url: serverUrl, embedded } = await locate(config, log, options.embedded);
  const url = withSearchPath(serverUrl, config.databaseSchema);
  const shownUrl = maskUrlPassword(serverUrl) ?? '';
  const db = createDb(url, { max: options.poolMax });
  let migrated: Promise<void> | undefined;
  const ensureMigrated = () => {
    migrated ??= (async () => {
      const applied = await migrate(url, log, migrateOptions(options.migrations));
      await options.afterMigrations?.(db);
      log.info(
        { database: shownUrl, schema: config.databaseSchema, applied: applied.length, migrations: applied },
        'database ready',
      );
    })().catch((error: unknown) => {
      migrated = undefined;
      throw unreachable(error, shownUrl);
    });
    return migrated;
  };
  const close = async () => {
    await db.$disconnect();
    await embedded?.stop();
  };
  if (options.migrate === 'now') {
    try {
      await ensureMigrated();
    } catch (error) {
      await close();
      throw error;
    }
  }
  return { db, url, shownUrl, embedded, ensureMigrated, close };
}

/** A connection error as what it means to a person: the database at this URL cannot be reached (exit 1); others as they are. */
export function unreachable(error: unknown, shownUrl: string): unknown {
  if (!isConnectionError(error)) return error;
  return new SyncError('DB_UNAVAILABLE', `cannot reach the database at ${shownUrl}: ${errorMessage(error)}`, {
    cause: error,
    fatal: true,
  });
}

function migrateOptions(settings: MigrationSettings | undefined): MigrateOptions {
  if (!settings) return {};
  return {
    allowMismatch: settings.allowMismatch,
    locks: {
      lockTimeoutMs: settings.lockTimeoutMs,
      statementTimeoutMs: settings.statementTimeoutSeconds * 1_000,
      maxWaitMs: settings.maxWaitSeconds * 1_000,
    },
  };
}

async function locate(
  config: DatabaseConfig,
  log: Logger,
  mode: OpenDatabaseOptions['embedded'],
): Promise<{ url: string; embedded: EmbeddedDatabase | undefined }> {
  if (config.databaseUrl !== undefined) return { url: config.databaseUrl, embedded: undefined };
  if (mode === 'share') {
    const running = await runningEmbeddedServer(EMBEDDED_DATA_DIR);
    if (running) return { url: running.url, embedded: undefined };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: config.embeddedPostgresPort, log });
  const where = { dataDir: embedded.dataDir, port: embedded.port };
  // Fine for the demo; for a real account, data landing where no BI tool looks is a mistake to say out loud.
  if (mode === 'warn')
    log.warn(
      where,
      'DATABASE_URL is not set: syncing into an embedded PostgreSQL under .data/, where no BI tool will look; set DATABASE_URL',
    );
  else log.info(where, 'embedded postgres started (DATABASE_URL unset)');
  return { url: embedded.url, embedded };
}
