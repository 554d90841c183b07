import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import type { MigrationFile } from './migration-files.js';
import { sessionsBlocking, sessionsLockingSchema, type LockHolder } from './sql/lock-holders.js';

/**
 * Applies one migration without freezing the readers of what it alters. A statement
 * that waits for a lock (ALTER TABLE behind a dashboard's open transaction, or behind
 * pg_dump, which holds ACCESS SHARE on every table for the whole dump) makes every new
 * reader of that table queue behind it. So each statement may wait only lock_timeout;
 * then the migration rolls back, the readers go on, and it is tried again later, with
 * growing pauses, until the bound: then it gives up naming who held the locks.
 */

export interface LockPatience {
  /** How long one statement may wait for a lock, i.e. how long readers may queue behind the migration. */
  readonly lockTimeoutMs: number;
  /** How long one statement may run (0: no limit): a runaway migration must not hold its locks for hours. */
  readonly statementTimeoutMs: number;
  /** How long a migration stopped by locks is retried before the runner gives up; 0: it gives up at the first. */
  readonly maxWaitMs: number;
  /** Pause before the first retry (it doubles each retry, jittered), and the longest pause. */
  readonly retryDelayMs: { readonly min: number; readonly max: number };
}

export const DEFAULT_LOCK_PATIENCE: LockPatience = Object.freeze({
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 5 * 60_000,
  maxWaitMs: 10 * 60_000,
  retryDelayMs: Object.freeze({ min: 1_000, max: 30_000 }),
});

/** PostgreSQL's lock_not_available: lock_timeout expired (or NOWAIT). */
const LOCK_NOT_AVAILABLE = '55P03';

/** PostgreSQL's query_canceled: statement_timeout expired (the runner cancels nothing itself). */
const QUERY_CANCELED = '57014';

/** The variables of `LockPatience`, named in messages for the operator who reads them. */
const MAX_WAIT_VARIABLE = 'MIGRATIONS_WAIT_MAX';
const STATEMENT_TIMEOUT_VARIABLE = 'MIGRATIONS_STATEMENT_TIMEOUT';

export interface ApplyContext {
  readonly client: pg.Client;
  readonly log: Logger;
  readonly patience: LockPatience;
  /** Sees, from a connection of its own, whom the migrating session waits for. */
  readonly watcher: LockWatcher;
  /** The schema of the tables (DATABASE_SCHEMA): whose lock holders are named when nobody was seen blocking. */
  readonly schema: string;
}

export async function applyMigration(migration: MigrationFile, ctx: ApplyContext): Promise<void> {
  const started = Date.now();
  const pid = (await ctx.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  for (let attempt = 1; ; attempt++) {
    const watch = ctx.watcher.watch(pid, ctx.patience.lockTimeoutMs);
    let holders: LockHolder[];
    try {
      if (await attemptOnce(ctx.client, migration, ctx.patience)) return;
    } finally {
      holders = await watch.stop();
    }
    if (holders.length === 0) holders = await sessionsLockingSchema(ctx.client, ctx.schema).catch(() => []);
    const waitedMs = Date.now() - started;
    const delayMs = retryDelay(attempt, ctx.patience.retryDelayMs);
    const facts = { migration: migration.name, attempt, waitedMs, lockTimeoutMs: ctx.patience.lockTimeoutMs };
    // The statements' starts only here: the log redacts secrets, the error's message reaches the console as it is.
    if (waitedMs + delayMs > ctx.patience.maxWaitMs) {
      ctx.log.warn({ ...facts, blockers: holders.map(forLog) }, 'migration gave up waiting for its locks');
      throw blockedError(migration.name, attempt, waitedMs, holders);
    }
    ctx.log.warn(
      { ...facts, retryInMs: delayMs, blockers: holders.map(forLog) },
      'migration waited too long for a lock: rolled back so readers go on; retrying',
    );
    await sleep(delayMs);
  }
}

/**
 * One transaction: bookkeeping row, migration, finish. True when committed, false when
 * a lock wait timed out (rolled back, nothing kept); any other failure is final.
 */
async function attemptOnce(client: pg.Client, migration: MigrationFile, patience: LockPatience): Promise<boolean> {
  const id = randomUUID();
  try {
    await client.query('BEGIN');
    // LOCAL: the session keeps its settings for the advisory lock and what follows the migrations.
    await client.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [
      `${patience.lockTimeoutMs}ms`,
      `${patience.statementTimeoutMs}ms`,
    ]);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: unknown }).code;
    if (code === LOCK_NOT_AVAILABLE) return false;
    const hint = code === QUERY_CANCELED ? ` (a statement ran past ${STATEMENT_TIMEOUT_VARIABLE})` : '';
    throw new SyncError(
      'MIGRATION_FAILED',
      `migration ${migration.name} failed and was rolled back: ${(error as Error).message}${hint}`,
      { cause: error, fatal: true },
    );
  }
}

/** Doubles from min to max, then jittered down to half (replicas started together must not retry in step). */
export function retryDelay(attempt: number, { min, max }: LockPatience['retryDelayMs']): number {
  const ceiling = Math.min(max, min * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function blockedError(name: string, attempts: number, waitedMs: number, holders: readonly LockHolder[]): SyncError {
  const who =
    holders.length === 0
      ? 'no session holding a lock was seen (it ended meanwhile?)'
      : `held by ${holders.map(describe).join('; ')}`;
  return new SyncError(
    'MIGRATION_BLOCKED',
    `migration ${name} not applied: its locks stayed taken for ${Math.round(waitedMs / 1000)} s over ${attempts} ` +
      `attempt${attempts > 1 ? 's' : ''}, ${who}. Nothing of it was applied. End or wait for these sessions ` +
      `(a backup? a dashboard left in a transaction?) and start again, or set ${MAX_WAIT_VARIABLE} to wait longer`,
    { fatal: true },
  );
}

/** "pid 4711 (application "Metabase", user bi, idle in transaction since 2026-12-05T01:00:00.000Z)": no query text, messages reach the console unredacted. */
function describe(h: LockHolder): string {
  const since = h.transactionStart ?? h.stateChange;
  const details = [
    `application "${h.applicationName}"`,
    h.user === null ? undefined : `user ${h.user}`,
    h.state === null ? undefined : `${h.state}${since ? ` since ${since.toISOString()}` : ''}`,
  ].filter((d) => d !== undefined);
  return `pid ${h.pid} (${details.join(', ')})`;
}

/** For the log, which redacts secrets: the statement's start too. */
function forLog(h: LockHolder): Record<string, unknown> {
  return {
    pid: h.pid,
    applicationName: h.applicationName,
    user: h.user,
    state: h.state,
    transactionStart: h.transactionStart,
    stateChange: h.stateChange,
    query: h.query,
  };
}

/**
 * Asks, every half lock_timeout while an attempt runs, whom the migrating session
 * waits for (pg_blocking_pids), from a second connection opened at the first need:
 * the migrating one is busy waiting. The last sessions seen are the blockers.
 */
export class LockWatcher {
  private client: pg.Client | undefined;

  constructor(private readonly connectionString: string) {}

  watch(pid: number, lockTimeoutMs: number): { stop(): Promise<LockHolder[]> } {
    let seen: LockHolder[] = [];
    let polling: Promise<void> = Promise.resolve();
    const poll = () => {
      polling = polling
        .then(async () => {
          const now = await sessionsBlocking(await this.connection(), pid);
          if (now.length > 0) seen = now;
        })
        // Only a better message is lost: the schema's lock holders are named instead.
        .catch(() => undefined);
    };
    const timer = setInterval(poll, Math.max(10, lockTimeoutMs / 2));
    return {
      stop: async () => {
        clearInterval(timer);
        await polling;
        return seen;
      },
    };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connection(): Promise<pg.Client> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'detractor-sync-migrate-watch' });
      client.on('error', () => undefined);
      await client.connect();
      this.client = client;
    }
    return this.client;
  }
}
