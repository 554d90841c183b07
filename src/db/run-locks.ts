import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Session-level advisory locks on one dedicated connection (a pooled connection
 * could hand a lock to the wrong holder): one per (segment, status) list being synced
 * and one per run in progress. They vanish with the connection, so a worker killed
 * with -9 releases everything, and a run whose lock is free while its row still says
 * `running` is provably dead. Keys are namespaced hashes computed by PostgreSQL.
 */
export class RunLocks {
  private constructor(private readonly client: pg.Client) {}

  static async open(connectionString: string, log: Logger): Promise<RunLocks> {
    const client = new pg.Client({ connectionString, application_name: 'detractor-sync-locks' });
    // A dropped lock connection means our locks are gone: say so rather than crash.
    client.on('error', (error) => log.error({ errMessage: error.message }, 'lock connection lost'));
    await client.connect();
    return new RunLocks(client);
  }

  private async tryLock(key: string): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      [key],
    );
    return rows[0]?.locked === true;
  }

  private async unlock(key: string): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
  }

  tryLockList(segmentId: number, status: number): Promise<boolean> {
    return this.tryLock(`detractor-sync:list:${segmentId}:${status}`);
  }

  unlockList(segmentId: number, status: number): Promise<void> {
    return this.unlock(`detractor-sync:list:${segmentId}:${status}`);
  }

  /**
   * Creates the run's row and takes its lock in one transaction, so no other worker
   * can ever see the row `running` without its lock held (and reap a live run).
   */
  async createLockedRun(trigger: string, who: { hostname: string; pid: number }): Promise<{ runId: bigint; startedAt: Date }> {
    await this.client.query('BEGIN');
    try {
      const { rows } = await this.client.query<{ id: string; started_at: Date }>(
        `INSERT INTO sync_runs (trigger, status, hostname, pid) VALUES ($1, 'running', $2, $3) RETURNING id, started_at`,
        [trigger, who.hostname, who.pid],
      );
      const runId = BigInt(rows[0]!.id);
      await this.client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`detractor-sync:run:${runId}`]);
      await this.client.query('COMMIT');
      return { runId, startedAt: rows[0]!.started_at };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Held for the whole run: tells other workers this run is alive. */
  tryLockRun(runId: bigint): Promise<boolean> {
    return this.tryLock(`detractor-sync:run:${runId}`);
  }

  unlockRun(runId: bigint): Promise<void> {
    return this.unlock(`detractor-sync:run:${runId}`);
  }

  /**
   * Marks runs left `running` by a dead process as `abandoned` (their unfinished lists
   * `aborted`). A run is dead when nobody holds its lock.
   */
  async reapAbandonedRuns(log: Logger): Promise<bigint[]> {
    const { rows } = await this.client.query<{ id: string }>(`SELECT id FROM sync_runs WHERE status = 'running' ORDER BY id`);
    const reaped: bigint[] = [];
    for (const { id } of rows) {
      const runId = BigInt(id);
      if (!(await this.tryLockRun(runId))) continue; // alive, in this or another worker
      try {
        await this.client.query('BEGIN');
        await this.client.query(
          `UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = 'RUN_ABANDONED',
                  error_message = 'the worker running this list died (killed or crashed)'
           WHERE run_id = $1 AND outcome = 'running'`,
          [id],
        );
        await this.client.query(
          `UPDATE sync_runs SET status = 'abandoned', finished_at = now(), error_code = 'RUN_ABANDONED',
                  error_message = 'the worker running this sync died (killed or crashed) before it finished'
           WHERE id = $1 AND status = 'running'`,
          [id],
        );
        await this.client.query('COMMIT');
        reaped.push(runId);
        log.warn({ abandonedRunId: id }, 'run left by a dead worker marked abandoned');
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await this.unlockRun(runId);
      }
    }
    return reaped;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
