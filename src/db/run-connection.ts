import pg from 'pg';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { isConnectionError } from './db-retry.js';
import { releaseAdvisoryLock, tryAdvisoryLock } from './sql/locks.js';
import type { Queryable } from './sql/queryable.js';
import { SyncError, errorMessage } from '../errors.js';

/** Statements of a run's bookkeeping tried again after a lost connection, with backoff. */
const RECONNECT_ATTEMPTS = 5;

/**
 * Takes a held lock again on a new connection. The server releases the old session's
 * locks as its backend exits, which may trail the socket's close by a moment: a few
 * tries before the lock counts as taken by someone else.
 */
async function retake(client: pg.Client, key: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryAdvisoryLock(client, key)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
  }
  return false;
}

/**
 * The one connection a run's bookkeeping goes through: its rows in sync_runs and
 * sync_run_segments and its session-level advisory locks (a pooled connection could
 * hand a lock to the wrong holder). Statements run one at a time, in order, since the
 * lists of a run share it. Locks vanish with the connection, so a worker killed with
 * -9 releases everything; if the connection drops, it is reopened and the held locks
 * are taken again (one another worker took meanwhile ends the run: LOCK_LOST). After
 * close() it refuses every use instead of quietly reconnecting.
 */
export class RunConnection implements Queryable {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {}

  static async open(connectionString: string, log: Logger): Promise<RunConnection> {
    const connection = new RunConnection(connectionString, log);
    await connection.connect();
    return connection;
  }

  /** One statement; after a lost connection, reconnects, re-takes the held locks and tries again. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.exclusive(() => this.withReconnect((client) => client.query<T>(sql, params)));
  }

  /** Statements in one transaction, retried whole after a lost connection. */
  transaction<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.withReconnect(async (client) => {
        await client.query('BEGIN');
        try {
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    );
  }

  async tryLock(key: string): Promise<boolean> {
    const locked = await tryAdvisoryLock(this, key);
    if (locked) this.held.add(key);
    return locked;
  }

  /** Counts a lock taken inside transaction() as held (re-taken after a reconnect). */
  holds(key: string): void {
    this.held.add(key);
  }

  async unlock(key: string): Promise<void> {
    this.held.delete(key);
    await releaseAdvisoryLock(this, key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.held.clear();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(new SyncError('RUN_STORE_CLOSED', 'the run bookkeeping connection is closed: the run is over'));
    const turn = this.queue.then(step);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async withReconnect<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    try {
      return await pRetry(async () => work(this.client ?? (await this.reconnect())), {
        retries: RECONNECT_ATTEMPTS,
        minTimeout: 200,
        maxTimeout: 5_000,
        randomize: true,
        shouldRetry: ({ error }) => isConnectionError(error) && !this.closed,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          if (!isConnectionError(error)) return;
          this.log.warn({ attempt: attemptNumber, errMessage: error.message }, 'run bookkeeping connection lost, retrying');
          const lost = this.client;
          this.client = undefined;
          // Ended before the next attempt: its locks must be free to be taken again.
          await lost?.end().catch(() => undefined);
        },
      });
    } catch (error) {
      if (error instanceof SyncError) throw error;
      if (isConnectionError(error)) {
        throw new SyncError('DB_UNAVAILABLE', `database unavailable for the run's bookkeeping: ${errorMessage(error)}`, {
          cause: error,
          fatal: true,
        });
      }
      throw new SyncError('RUN_RECORD_FAILED', `the run's bookkeeping failed: ${errorMessage(error)}`, {
        cause: error,
        fatal: true,
      });
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'detractor-sync-runs' });
    client.on('error', (error) => {
      this.log.warn({ errMessage: error.message }, 'run bookkeeping connection lost');
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async reconnect(): Promise<pg.Client> {
    if (this.closed) throw new SyncError('RUN_STORE_CLOSED', 'the run bookkeeping connection is closed: the run is over');
    const client = await this.connect();
    for (const key of this.held) {
      if (!(await retake(client, key))) {
        throw new SyncError('LOCK_LOST', `the database connection dropped and another worker took the lock ${key}`, {
          fatal: true,
        });
      }
    }
    if (this.held.size > 0) this.log.info({ locks: this.held.size }, 'run bookkeeping connection reopened, locks taken again');
    return client;
  }
}
