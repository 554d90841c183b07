import pg from 'pg';
import type { Logger } from 'pino';
import { releaseAdvisoryLock, tryAdvisoryLock } from '../db/sql/locks.js';
import { ledgerKeys, pruneLedgerBatch, pruneRunBatch } from '../db/sql/retention.js';
import { errorMessage } from '../errors.js';

/** Held by the one replica pruning; the others skip their prune rather than wait. */
export const RETENTION_LOCK_KEY = 'detractor-sync:retention';

/**
 * The ledger is never pruned closer than this: a monthly budget period that began up to
 * 31 days ago (whatever its start day and time zone, also after the setting changed: its
 * calls are counted again from the ledger) and the status page's 14 days of calls.
 */
export const LEDGER_MIN_DAYS = 35;

export interface RetentionLimits {
  /** Runs per batch, deleted with their list records in one short transaction. */
  readonly batchRuns: number;
  /** Ledger rows per batch. */
  readonly batchLedgerRows: number;
  /** Batches per prune, runs and ledger together: years of history spread over many runs. */
  readonly maxBatches: number;
}

/** A few thousand rows per transaction; at most 20,000 runs a prune (two weeks of one-minute runs). */
export const DEFAULT_RETENTION_LIMITS: RetentionLimits = { batchRuns: 1_000, batchLedgerRows: 5_000, maxBatches: 20 };

export interface PruneResult {
  /** disabled: RETENTION_DAYS=0; locked: another replica is pruning. */
  readonly skipped?: 'disabled' | 'locked';
  readonly runs: number;
  readonly lists: number;
  readonly ledgerRows: number;
  readonly batches: number;
  /** Nothing older than the window is left (false: the batch limit or a stop came first). */
  readonly complete: boolean;
}

const NOTHING = { runs: 0, lists: 0, ledgerRows: 0, batches: 0 };

/**
 * Deletes run bookkeeping older than `days` days: sync_runs and their sync_run_segments,
 * and the API ledger's minutes the budget, its forecast and the status no longer read.
 * Never tickets, memberships or versions; never sync_lists (where each list stands) nor
 * sync_rejects. Oldest first, in batches, each its own transaction, at most
 * `maxBatches` per call, one replica at a time. Called after a run; never throws: a
 * prune that fails is tried again after the next run.
 */
export async function pruneHistory(
  databaseUrl: string,
  log: Logger,
  days: number,
  options: { readonly limits?: RetentionLimits; readonly signal?: AbortSignal } = {},
): Promise<PruneResult> {
  if (days <= 0) return { skipped: 'disabled', ...NOTHING, complete: true };
  const limits = options.limits ?? DEFAULT_RETENTION_LIMITS;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'detractor-sync-retention' });
  client.on('error', () => undefined); // a dropped connection fails the statement in flight, which is logged
  const done = { ...NOTHING };
  let complete: boolean;
  try {
    await client.connect();
    // Session-level: released with the connection if this process dies mid-prune.
    if (!(await tryAdvisoryLock(client, RETENTION_LOCK_KEY))) return { skipped: 'locked', ...NOTHING, complete: false };
    const more = () => done.batches < limits.maxBatches && options.signal?.aborted !== true;
    let from: Date | null = null;
    let runsLeft = true;
    while (runsLeft && more()) {
      const batch = await pruneRunBatch(client, days, from, limits.batchRuns);
      done.batches += 1;
      done.runs += batch.runs;
      done.lists += batch.lists;
      from = batch.through;
      runsLeft = batch.runs === limits.batchRuns;
    }
    const ledgerDays = Math.max(days, LEDGER_MIN_DAYS);
    let ledgerLeft = false;
    for (const key of runsLeft ? [] : await ledgerKeys(client)) {
      let keyLeft = true;
      while (keyLeft && more()) {
        const deleted = await pruneLedgerBatch(client, key, ledgerDays, limits.batchLedgerRows);
        done.batches += 1;
        done.ledgerRows += deleted;
        keyLeft = deleted === limits.batchLedgerRows;
      }
      ledgerLeft ||= keyLeft;
    }
    complete = !runsLeft && !ledgerLeft;
    await releaseAdvisoryLock(client, RETENTION_LOCK_KEY);
  } catch (error) {
    log.warn({ errMessage: errorMessage(error), ...done }, 'history not pruned: the next run tries again');
    return { ...done, complete: false };
  } finally {
    await client.end().catch(() => undefined);
  }
  if (done.runs + done.ledgerRows > 0) {
    log.info({ retentionDays: days, ...done, complete }, 'run history older than the retention window pruned');
  }
  return { ...done, complete };
}
