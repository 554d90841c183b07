import type { Logger } from 'pino';
import pg from 'pg';
import { SyncError } from '../errors.js';
import { searchPathOf } from './connection-url.js';
import { applyMigration, DEFAULT_LOCK_PATIENCE, LockWatcher, type ApplyContext, type LockPatience } from './migration-apply.js';
import { DEFAULT_MIGRATIONS_DIR, readMigrations, type MigrationFile } from './migration-files.js';

export { DEFAULT_MIGRATIONS_DIR, readMigrations, type MigrationFile } from './migration-files.js';
export { DEFAULT_LOCK_PATIENCE, type LockPatience } from './migration-apply.js';

/**
 * Applies prisma/migrations/<name>/migration.sql the way `prisma migrate deploy`
 * does, without Prisma's native schema engine (which air-gapped installs cannot
 * download): same advisory lock, same `_prisma_migrations` table and checksums, so
 * the CLI and the worker stay interchangeable. Each migration runs in its own
 * transaction: a failure leaves the database as it was before that migration. A
 * migration that waits for a lock longer than lock_timeout steps back and retries
 * (migration-apply.ts), so readers never queue behind it for long.
 */

/** The key `prisma migrate` locks with: the two never migrate at the same time. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export interface MigrateOptions {
  readonly dir?: string;
  /**
   * Only warn when the database holds migrations this build does not know, or an
   * applied migration's file was edited since (MIGRATIONS_ALLOW_MISMATCH). Without it
   * both refuse: an older replica must not keep writing to a newer schema.
   */
  readonly allowMismatch?: boolean;
  /** How each migration waits for its locks without freezing readers (defaults: DEFAULT_LOCK_PATIENCE). */
  readonly locks?: Partial<LockPatience>;
}

export async function migrate(connectionString: string, log: Logger, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = await readMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString, application_name: 'detractor-sync-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    // One session holds the advisory lock and makes every attempt, retries included: a retry
    // from another connection would queue behind this session's own lock forever.
    const watcher = new LockWatcher(connectionString);
    try {
      const schema = searchPathOf(connectionString);
      await ensureSchema(client, schema);
      const patience = { ...DEFAULT_LOCK_PATIENCE, ...options.locks };
      return await applyPending(migrations, options.allowMismatch ?? false, { client, log, patience, watcher, schema });
    } finally {
      await watcher.close();
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/**
 * The schema of the URL's search_path (DATABASE_SCHEMA) holds everything,
 * _prisma_migrations included. Created only when missing: CREATE SCHEMA needs a
 * privilege on the database that an owner of an existing schema may not have.
 */
async function ensureSchema(client: pg.Client, schema: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (rowCount === 0) await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
}

async function applyPending(migrations: MigrationFile[], allowMismatch: boolean, ctx: ApplyContext): Promise<string[]> {
  const { client, log } = ctx;
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new SyncError(
      'MIGRATION_FAILED_EARLIER',
      `migration ${failed.migration_name} failed earlier and is not resolved; fix it, then run \`prisma migrate resolve\``,
      { fatal: true },
    );
  }
  const applied = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  // Checked before anything is applied: a refusal leaves the database as it was.
  for (const mismatch of [aheadOf(applied, migrations), editedIn(applied, migrations)]) {
    if (!mismatch) continue;
    const override = `${ALLOW_MISMATCH_VARIABLE}=true`;
    if (!allowMismatch) {
      throw new SyncError(mismatch.code, `${mismatch.message}. ${mismatch.remedy}, or set ${override} to accept it`, {
        fatal: true,
      });
    }
    log.warn({ code: mismatch.code, migrations: mismatch.migrations }, `${mismatch.message} (accepted: ${override})`);
  }

  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    await applyMigration(migration, ctx);
    // At debug: 'database ready' names every migration applied, in one line.
    log.debug({ migration: migration.name }, 'migration applied');
    done.push(migration.name);
  }
  return done;
}

/** The variable of `Config.migrations.allowMismatch`, named in the messages for the operator who reads them. */
const ALLOW_MISMATCH_VARIABLE = 'MIGRATIONS_ALLOW_MISMATCH';

/** Names in a message: a few, then how many more. */
const LISTED = 3;
/** Enough of a sha256 to tell two checksums apart in a message. */
const CHECKSUM_SHOWN = 12;

interface Mismatch {
  readonly code: 'MIGRATION_AHEAD' | 'MIGRATION_EDITED';
  readonly migrations: string[];
  readonly message: string;
  readonly remedy: string;
}

function listed(items: readonly string[]): string {
  const more = items.length - LISTED;
  return items.slice(0, LISTED).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** Migrations the database applied that this build lacks: it was migrated by a newer build. */
function aheadOf(applied: ReadonlyMap<string, string>, migrations: readonly MigrationFile[]): Mismatch | undefined {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...applied.keys()].filter((name) => !known.has(name)).sort();
  if (unknown.length === 0) return undefined;
  // Names start with their creation time (prisma migrate dev), so the greatest is the newest;
  // readMigrations sorts the build's the same way.
  const newestApplied = [...applied.keys()].sort().at(-1)!;
  const newestKnown = migrations.at(-1)?.name ?? '(none)';
  return {
    code: 'MIGRATION_AHEAD',
    migrations: unknown,
    message:
      `the database is ahead of this build: its newest applied migration is ${newestApplied}, this build's newest is ` +
      `${newestKnown} (unknown to this build: ${listed(unknown)})`,
    remedy: 'Deploy a build that has these migrations (an older build must not write to a newer schema)',
  };
}

/** Applied migrations whose file no longer matches what the database recorded. */
function editedIn(applied: ReadonlyMap<string, string>, migrations: readonly MigrationFile[]): Mismatch | undefined {
  const edited = migrations.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum);
  if (edited.length === 0) return undefined;
  const described = edited.map(
    (m) =>
      `${m.name} (database checksum ${applied.get(m.name)!.slice(0, CHECKSUM_SHOWN)}…, ` +
      `this build's ${m.checksum.slice(0, CHECKSUM_SHOWN)}…)`,
  );
  return {
    code: 'MIGRATION_EDITED',
    migrations: edited.map((m) => m.name),
    message: `applied migration${edited.length > 1 ? 's' : ''} edited since: ${listed(described)}`,
    remedy:
      'Restore the file as it was applied (a change belongs in a new migration) or deploy the build the database was migrated with',
  };
}
