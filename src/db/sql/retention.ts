import { LEDGER_KEYS } from './ledger.js';
import type { Queryable } from './queryable.js';

/**
 * The statements of retention (runs/retention.ts): run records and API ledger minutes
 * older than the window, deleted a bounded batch at a time, oldest first, each batch one
 * statement (its own short transaction) found through an index. The cutoffs are taken
 * on the database's clock, the one every replica shares.
 */

export interface PrunedRuns {
  readonly runs: number;
  readonly lists: number;
  /** started_at of the newest run deleted: the next batch starts there. null: none deleted. */
  readonly through: Date | null;
}

/**
 * Up to `limit` finished runs started more than `days` days ago (and not before `from`),
 * with their list records. A run that sync_rejects still points to is kept: the rejects
 * are not run bookkeeping (their foreign key would delete them with the run). sync_lists
 * is not touched: its rows hold ids, not references, and the list state trigger fires on
 * inserts and updates only.
 */
export async function pruneRunBatch(q: Queryable, days: number, from: Date | null, limit: number): Promise<PrunedRuns> {
  const { rows } = await q.query<{ runs: number; lists: number; through: Date | null }>(
    `WITH doomed AS (
       SELECT r.id, r.started_at FROM sync_runs r
       WHERE r.started_at < now() - $1::int * interval '1 day'
         AND r.started_at >= coalesce($2::timestamptz, '-infinity')
         AND r.status <> 'running'
         AND NOT EXISTS (SELECT 1 FROM sync_rejects j WHERE j.run_id = r.id)
       ORDER BY r.started_at LIMIT $3),
     lists AS (DELETE FROM sync_run_segments s USING doomed d WHERE s.run_id = d.id RETURNING 1),
     runs AS (DELETE FROM sync_runs r USING doomed d WHERE r.id = d.id RETURNING 1)
     SELECT (SELECT count(*) FROM runs)::int AS runs, (SELECT count(*) FROM lists)::int AS lists,
            (SELECT max(started_at) FROM doomed) AS through`,
    [days, from, limit],
  );
  return rows[0] ?? { runs: 0, lists: 0, through: null };
}

export async function ledgerKeys(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ key_fingerprint: string }>(LEDGER_KEYS);
  return rows.map((r) => r.key_fingerprint);
}

/** Up to `limit` ledger rows of one key from minutes more than `days` days ago, oldest first. */
export async function pruneLedgerBatch(q: Queryable, fingerprint: string, days: number, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM api_call_ledger l
     WHERE (l.key_fingerprint, l.minute, l.outcome) IN (
       SELECT key_fingerprint, minute, outcome FROM api_call_ledger
       WHERE key_fingerprint = $1 AND minute < now() - $2::int * interval '1 day'
       ORDER BY minute LIMIT $3)`,
    [fingerprint, days, limit],
  );
  return rowCount ?? 0;
}
