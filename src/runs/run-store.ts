import os from 'node:os';
import type { Logger } from 'pino';
import { SyncError, errorMessage, type ErrorCode } from '../errors.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiError } from '../questionpro/api-error.js';
import type { ListRef } from '../questionpro/pages.js';
import { storableText } from '../db/storable-text.js';
import { RunConnection } from './run-connection.js';
import type { ListCounts, ListOutcome, RunStatus, RunTotals, RunTrigger } from './run-types.js';

const listKey = (list: Pick<ListRef, 'segmentId' | 'status'>) => `detractor-sync:list:${list.segmentId}:${list.status}`;
const runKey = (runId: bigint) => `detractor-sync:run:${runId}`;

export interface RunRef {
  readonly runId: bigint;
  readonly startedAt: Date;
}

/** Why a list was not synced by this run (not a failure when another worker has it). */
export type ListClaim = { readonly claimed: true } | { readonly claimed: false; readonly reason: SyncError };

/**
 * The life of a run in the database, from its row's creation to its final state, in
 * one place and through one connection (RunConnection): create and lock the run,
 * claim, start, finish, skip and release its lists, finish the run, and reap the runs
 * of dead workers. Every error message stored passes the secret redactor.
 */
export class RunStore {
  private constructor(
    private readonly connection: RunConnection,
    private readonly log: Logger,
    private readonly redactor: SecretRedactor,
  ) {}

  static async open(databaseUrl: string, log: Logger, redactor: SecretRedactor = SecretRedactor.none): Promise<RunStore> {
    return new RunStore(await RunConnection.open(databaseUrl, log), log, redactor);
  }

  /**
   * Creates the run's row and takes its lock in one transaction, so no other worker
   * can ever see the row `running` without its lock held (and reap a live run).
   */
  async createRun(trigger: RunTrigger): Promise<RunRef> {
    const run = await this.connection.transaction(async (client) => {
      const { rows } = await client.query<{ id: string; started_at: Date }>(
        `INSERT INTO sync_runs (trigger, status, hostname, pid) VALUES ($1, 'running', $2, $3) RETURNING id, started_at`,
        [trigger, os.hostname(), process.pid],
      );
      const runId = BigInt(rows[0]!.id);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [runKey(runId)]);
      return { runId, startedAt: rows[0]!.started_at };
    });
    this.connection.holds(runKey(run.runId));
    return run;
  }

  /**
   * Marks runs left `running` by a dead process as `abandoned` (their unfinished lists
   * `aborted`). A run is dead when nobody holds its lock.
   */
  async reapAbandonedRuns(): Promise<bigint[]> {
    const { rows } = await this.connection.query<{ id: string }>(`SELECT id FROM sync_runs WHERE status = 'running' ORDER BY id`);
    const reaped: bigint[] = [];
    for (const { id } of rows) {
      const runId = BigInt(id);
      if (!(await this.connection.tryLock(runKey(runId)))) continue; // alive, in this or another worker
      try {
        await this.closeRun(
          runId,
          'abandoned',
          'RUN_ABANDONED',
          'the worker running this sync died (killed or crashed) before it finished',
        );
        reaped.push(runId);
        this.log.warn({ abandonedRunId: id }, 'run left by a dead worker marked abandoned');
      } finally {
        await this.connection.unlock(runKey(runId));
      }
    }
    return reaped;
  }

  /**
   * Takes the list's lock for this run, unless another worker has the list covered:
   * it holds the lock now, or one of its runs synced the list since this run began.
   */
  async claimList(run: RunRef, list: ListRef): Promise<ListClaim> {
    const { rows } = await this.connection.query<{ run_id: string }>(
      `SELECT run_id FROM sync_run_segments
       WHERE segment_id = $1 AND status = $2 AND outcome = 'succeeded' AND started_at >= $3 AND run_id <> $4 LIMIT 1`,
      [list.segmentId, list.status, run.startedAt, run.runId],
    );
    if (rows[0])
      return {
        claimed: false,
        reason: new SyncError('LIST_SYNCED_ELSEWHERE', `run ${rows[0].run_id} synced this list after this run started`),
      };
    if (!(await this.connection.tryLock(listKey(list)))) {
      return { claimed: false, reason: new SyncError('LIST_LOCKED', 'another worker is syncing this list') };
    }
    return { claimed: true };
  }

  /** Called once every write of the list has settled. */
  releaseList(list: ListRef): Promise<void> {
    return this.connection.unlock(listKey(list));
  }

  async startList(run: RunRef, list: ListRef): Promise<bigint> {
    const { rows } = await this.connection.query<{ id: string }>(
      `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome) VALUES ($1, $2, $3, 'running') RETURNING id`,
      [run.runId, list.segmentId, list.status],
    );
    return BigInt(rows[0]!.id);
  }

  async finishList(
    listRunId: bigint,
    outcome: ListOutcome,
    counts: ListCounts,
    details: { settled?: boolean; verified?: boolean; error?: unknown; drift?: readonly string[] } = {},
  ): Promise<void> {
    const failure =
      details.error !== undefined
        ? this.errorColumns(details.error)
        : details.settled === false
          ? {
              code: 'LIST_UNSETTLED',
              message: this.text(`the list kept changing while read: ${(details.drift ?? []).join('; ')}`),
              httpStatus: null,
              apiId: null,
              requestId: null,
            }
          : undefined;
    await this.connection.query(
      `UPDATE sync_run_segments SET outcome = $2, finished_at = now(), pages = $3, tickets_seen = $4, tickets_inserted = $5,
         tickets_updated = $6, tickets_unchanged = $7, tickets_rejected = $8, tickets_gone = $9, tickets_returned = $10,
         total_items = $11, api_retries = $12, passes = $13, settled = $14, error_code = $15, error_message = $16,
         error_http_status = $17, error_api_id = $18, error_request_id = $19, api_calls = $20, verified = $21
       WHERE id = $1`,
      [
        listRunId,
        outcome,
        counts.pages,
        counts.ticketsSeen,
        counts.ticketsInserted,
        counts.ticketsUpdated,
        counts.ticketsUnchanged,
        counts.ticketsRejected,
        counts.ticketsGone,
        counts.ticketsReturned,
        counts.totalItems,
        counts.apiRetries,
        counts.passes,
        details.settled ?? null,
        failure?.code ?? null,
        failure?.message ?? null,
        failure?.httpStatus ?? null,
        failure?.apiId ?? null,
        failure?.requestId ?? null,
        counts.apiCalls,
        details.verified ?? false,
      ],
    );
  }

  /** A list this run did not read, with the reason: the run ended early, or another worker has it. */
  async skipList(run: RunRef, list: ListRef, reason: SyncError): Promise<void> {
    await this.connection.query(
      `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, finished_at, error_code, error_message)
       VALUES ($1, $2, $3, 'skipped', now(), $4, $5)`,
      [run.runId, list.segmentId, list.status, reason.code, this.text(`not synced by this run: ${reason.message}`)],
    );
  }

  /**
   * The run's final row. Lists still `running` (their bookkeeping failed) are closed
   * with the run's error. Should the full update be refused, a minimal one records the
   * failure: the row must not stay `running` while its worker lives on.
   */
  async finishRun(
    run: RunRef,
    status: Exclude<RunStatus, 'running' | 'abandoned'>,
    totals: RunTotals,
    error?: unknown,
  ): Promise<void> {
    const failure = error === undefined ? undefined : this.errorColumns(error);
    try {
      await this.connection.transaction(async (client) => {
        await client.query(
          `UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = $2, error_message = $3
           WHERE run_id = $1 AND outcome = 'running'`,
          [run.runId, failure?.code ?? 'RUN_RECORD_FAILED', failure?.message ?? 'the run ended before this list was recorded'],
        );
        await client.query(
          `UPDATE sync_runs SET status = $2, finished_at = now(), lists_total = $3, lists_failed = $4, pages = $5, tickets_seen = $6,
             tickets_inserted = $7, tickets_updated = $8, tickets_unchanged = $9, tickets_rejected = $10, error_code = $11, error_message = $12,
             api_calls = $13
           WHERE id = $1`,
          [
            run.runId,
            status,
            totals.listsTotal,
            totals.listsFailed,
            totals.pages,
            totals.ticketsSeen,
            totals.ticketsInserted,
            totals.ticketsUpdated,
            totals.ticketsUnchanged,
            totals.ticketsRejected,
            failure?.code ?? null,
            failure?.message ?? null,
            totals.apiCalls,
          ],
        );
      });
    } catch (refused) {
      this.log.error({ errMessage: errorMessage(refused) }, 'run record refused: recording the run as failed');
      await this.closeRun(
        run.runId,
        'failed',
        'RUN_RECORD_FAILED',
        this.text(`the run's final record was refused: ${errorMessage(refused)}`),
      );
    }
    await this.connection.unlock(runKey(run.runId)).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** A run and its unfinished lists, closed in one statement (reaping, or a refused final record). */
  private async closeRun(runId: bigint, status: RunStatus, code: ErrorCode, message: string): Promise<void> {
    await this.connection.query(
      `WITH lists AS (
         UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = $3, error_message = $4
         WHERE run_id = $1 AND outcome = 'running')
       UPDATE sync_runs SET status = $2, finished_at = now(), error_code = $3, error_message = $4
       WHERE id = $1 AND status = 'running'`,
      [runId, status, code, message],
    );
  }

  /** Code, message and, for API errors, what support asks for. */
  private errorColumns(error: unknown) {
    return {
      code: error instanceof SyncError ? error.code : 'INTERNAL',
      message: this.text(errorMessage(error)),
      httpStatus: error instanceof ApiError ? (error.httpStatus ?? null) : null,
      apiId: error instanceof ApiError ? (error.apiErrorId ?? null) : null,
      requestId: error instanceof SyncError ? (error.requestId ?? null) : null,
    };
  }

  /** What may be stored of a message that can quote a server: secrets out, storable, bounded. */
  private text(message: string): string {
    return storableText(this.redactor.redact(message)).slice(0, 2000);
  }
}
