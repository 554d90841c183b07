import pg from 'pg';
import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import { isConnectionError } from './db-retry.js';

const listKey = (segmentId: number, status: number) => `detractor-sync:list:${segmentId}:${status}`;
const runKey = (runId: bigint) => `detractor-sync:run:${runId}`;

/**
 * Session-level advisory locks on one dedicated connection (a pooled connection
 * could hand a lock to the wrong holder): one per (segment, status) list being synced
 * and one per run in progress. They vanish with the connection, so a worker killed
 * with -9 releases everything, and a run whose lock is free while its row still says
 * `running` is provably dead. If the connection drops, it is reopened and the held
 * locks are taken again; one that another worker took meanwhile ends the run.
 */
export class RunLocks {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();
  /** One statement at a time on the connection (lists run concurrently). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {}

  static async open(connectionString: string, log: Logger): Promise<RunLocks> {
    const locks = new RunLocks(connectionString, log);
    await locks.connect();
    return locks;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'detractor-sync-locks' });
    client.on('error', (error) => {
      this.log.warn({ errMessage: error.message }, 'lock connection lost');
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    return client;
  }

  /** Runs one statement; after a lost connection, reconnects and re-takes the held locks first. */
  private query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.exclusive(() => this.queryNow<T>(sql, params));
  }

  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(step);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async queryNow<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<T>> {
    try {
      return await (this.client ?? (await this.reconnect())).query<T>(sql, params);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      return (await this.reconnect()).query<T>(sql, params);
    }
  }

  private async reconnect(): Promise<pg.Client> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    const client = await this.connect();
    for (const key of this.held) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      if (rows[0]?.locked !== true) {
        throw new SyncError('LOCK_LOST', `the database connection dropped and another worker took the lock ${key}`, { fatal: true });
      }
    }
    this.log.info({ locks: this.held.size }, 'lock connection reopened, locks taken again');
    return client;
  }

  private async tryLock(key: string): Promise<boolean> {
    const { rows } = await this.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    const locked = rows[0]?.locked === true;
    if (locked) this.held.add(key);
    return locked;
  }

  private async unlock(key: string): Promise<void> {
    this.held.delete(key);
    await this.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
  }

  tryLockList(segmentId: number, status: number): Promise<boolean> {
    return this.tryLock(listKey(segmentId, status));
  }

  unlockList(segmentId: number, status: number): Promise<void> {
    return this.unlock(listKey(segmentId, status));
  }

  unlockRun(runId: bigint): Promise<void> {
    return this.unlock(runKey(runId));
  }

  /**
   * Creates the run's row and takes its lock in one transaction, so no other worker
   * can ever see the row `running` without its lock held (and reap a live run).
   */
  createLockedRun(trigger: string, who: { hostname: string; pid: number }): Promise<{ runId: bigint; startedAt: Date }> {
    return this.exclusive(() => this.createLockedRunNow(trigger, who));
  }

  private async createLockedRunNow(trigger: string, who: { hostname: string; pid: number }): Promise<{ runId: bigint; startedAt: Date }> {
    const client = this.client ?? (await this.reconnect());
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ id: string; started_at: Date }>(
        `INSERT INTO sync_runs (trigger, status, hostname, pid) VALUES ($1, 'running', $2, $3) RETURNING id, started_at`,
        [trigger, who.hostname, who.pid],
      );
      const runId = BigInt(rows[0]!.id);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [runKey(runId)]);
      await client.query('COMMIT');
      this.held.add(runKey(runId));
      return { runId, startedAt: rows[0]!.started_at };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Marks runs left `running` by a dead process as `abandoned` (their unfinished lists
   * `aborted`). A run is dead when nobody holds its lock.
   */
  async reapAbandonedRuns(): Promise<bigint[]> {
    const { rows } = await this.query<{ id: string }>(`SELECT id FROM sync_runs WHERE status = 'running' ORDER BY id`);
    const reaped: bigint[] = [];
    for (const { id } of rows) {
      const runId = BigInt(id);
      if (!(await this.tryLock(runKey(runId)))) continue; // alive, in this or another worker
      try {
        await this.query(
          `WITH lists AS (
             UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = 'RUN_ABANDONED',
                    error_message = 'the worker running this list died (killed or crashed)'
             WHERE run_id = $1 AND outcome = 'running')
           UPDATE sync_runs SET status = 'abandoned', finished_at = now(), error_code = 'RUN_ABANDONED',
                  error_message = 'the worker running this sync died (killed or crashed) before it finished'
           WHERE id = $1 AND status = 'running'`,
          [id],
        );
        reaped.push(runId);
        this.log.warn({ abandonedRunId: id }, 'run left by a dead worker marked abandoned');
      } finally {
        await this.unlock(runKey(runId));
      }
    }
    return reaped;
  }

  async close(): Promise<void> {
    this.held.clear();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
