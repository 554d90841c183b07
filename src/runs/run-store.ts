import os from 'node:os';
import type { Logger } from 'pino';
import { RunConnection } from '../db/run-connection.js';
import { takeAdvisoryLock } from '../db/sql/locks.js';
import {
  abortRunningLists,
  closeRun,
  finishListRun,
  finishRunRecord,
  insertListRun,
  insertRun,
  insertSkippedListRun,
  listSucceededSince,
  runningRunIds,
  type FailureColumns,
  type ListLearning,
} from '../db/sql/runs.js';
import { storableText } from '../logging/storable-text.js';
import { SyncError, errorMessage } from '../errors.js';
import type { ListCounts, RunTotals } from '../lists/counts.js';
import { listLockKey, type ListRef } from '../lists/list.js';
import type { FinalRunStatus, ListOutcome, RunTrigger } from '../lists/outcomes.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiError } from '../questionpro/api-error.js';

/** The advisory lock a run holds for its whole life: a run whose lock nobody holds is dead. */
const runLockKey = (runId: bigint) => `detractor-sync:run:${runId}`;

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
      const created = await insertRun(client, trigger, { hostname: os.hostname(), pid: process.pid });
      await takeAdvisoryLock(client, runLockKey(created.runId));
      return created;
    });
    this.connection.holds(runLockKey(run.runId));
    return run;
  }

  /**
   * Marks runs left `running` by a dead process as `abandoned` (their unfinished lists
   * `aborted`). A run is dead when nobody holds its lock.
   */
  async reapAbandonedRuns(): Promise<bigint[]> {
    const reaped: bigint[] = [];
    for (const runId of await runningRunIds(this.connection)) {
      if (!(await this.connection.tryLock(runLockKey(runId)))) continue; // alive, in this or another worker
      try {
        await closeRun(
          this.connection,
          runId,
          'abandoned',
          'RUN_ABANDONED',
          'the worker running this sync died (killed or crashed) before it finished',
        );
        reaped.push(runId);
        this.log.warn({ abandonedRunId: runId.toString() }, 'run left by a dead worker marked abandoned');
      } finally {
        await this.connection.unlock(runLockKey(runId));
      }
    }
    return reaped;
  }

  /**
   * Takes the list's lock for this run, unless another worker has the list covered:
   * it holds the lock now, or one of its runs synced the list since this run began.
   */
  async claimList(run: RunRef, list: ListRef): Promise<ListClaim> {
    const other = await listSucceededSince(this.connection, list, run.startedAt, run.runId);
    if (other !== undefined) {
      return {
        claimed: false,
        reason: new SyncError('LIST_SYNCED_ELSEWHERE', `run ${other} synced this list after this run started`),
      };
    }
    if (!(await this.connection.tryLock(listLockKey(list)))) {
      return { claimed: false, reason: new SyncError('LIST_LOCKED', 'another worker is syncing this list') };
    }
    return { claimed: true };
  }

  /** Called once every write of the list has settled. */
  releaseList(list: ListRef): Promise<void> {
    return this.connection.unlock(listLockKey(list));
  }

  startList(run: RunRef, list: ListRef): Promise<bigint> {
    return insertListRun(this.connection, run.runId, list);
  }

  async finishList(
    listRunId: bigint,
    outcome: ListOutcome,
    counts: ListCounts,
    details: { settled?: boolean; verified?: boolean; error?: unknown; drift?: readonly string[]; learning?: ListLearning } = {},
  ): Promise<void> {
    const failure: FailureColumns | undefined =
      details.error !== undefined
        ? this.failureColumns(details.error)
        : details.settled === false
          ? {
              code: 'LIST_UNSETTLED',
              message: this.text(`the list kept changing while read: ${(details.drift ?? []).join('; ')}`),
              httpStatus: null,
              apiId: null,
              requestId: null,
            }
          : undefined;
    await finishListRun(this.connection, listRunId, outcome, counts, {
      settled: details.settled ?? null,
      verified: details.verified ?? false,
      failure,
      learning: details.learning,
    });
  }

  /** A list this run did not read, with the reason: the run ended early, or another worker has it. */
  async skipList(run: RunRef, list: ListRef, reason: SyncError): Promise<void> {
    await insertSkippedListRun(
      this.connection,
      run.runId,
      list,
      reason.code,
      this.text(`not synced by this run: ${reason.message}`),
    );
  }

  /**
   * The run's final row. Lists still `running` (their bookkeeping failed) are closed
   * with the run's error. Should the full update be refused, a minimal one records the
   * failure: the row must not stay `running` while its worker lives on.
   */
  async finishRun(run: RunRef, status: FinalRunStatus, totals: RunTotals, error?: unknown): Promise<void> {
    const failure = error === undefined ? undefined : this.failureColumns(error);
    try {
      await this.connection.transaction(async (client) => {
        await abortRunningLists(
          client,
          run.runId,
          failure?.code ?? 'RUN_RECORD_FAILED',
          failure?.message ?? 'the run ended before this list was recorded',
        );
        await finishRunRecord(client, run.runId, status, totals, failure);
      });
    } catch (refused) {
      this.log.error({ errMessage: errorMessage(refused) }, 'run record refused: recording the run as failed');
      await closeRun(
        this.connection,
        run.runId,
        'failed',
        'RUN_RECORD_FAILED',
        this.text(`the run's final record was refused: ${errorMessage(refused)}`),
      );
    }
    await this.connection.unlock(runLockKey(run.runId)).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Code, message and, for API errors, what support asks for. */
  private failureColumns(error: unknown): FailureColumns {
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
