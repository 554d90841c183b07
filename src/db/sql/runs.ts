import { LIST_COUNT_COLUMNS, RUN_TOTAL_FIELDS, type CountField, type ListCounts, type RunTotals } from '../../lists/counts.js';
import type { ListId } from '../../lists/list.js';
import type { FinalRunStatus, ListOutcome, RunStatus, RunTrigger } from '../../lists/outcomes.js';
import type { Queryable } from './queryable.js';

/**
 * The statements of a run's bookkeeping (sync_runs, sync_run_segments). Only the run
 * store (runs/run-store.ts) calls them, through its one connection; sync_lists follows
 * each list record by a trigger (migration list_state).
 */

/** What a failure leaves in the error columns of a run or list record. */
export interface FailureColumns {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number | null;
  readonly apiId: string | null;
  readonly requestId: string | null;
}

export async function insertRun(
  q: Queryable,
  trigger: RunTrigger,
  host: { readonly hostname: string; readonly pid: number },
): Promise<{ runId: bigint; startedAt: Date }> {
  const { rows } = await q.query<{ id: string; started_at: Date }>(
    `INSERT INTO sync_runs (trigger, status, hostname, pid) VALUES ($1, 'running', $2, $3) RETURNING id, started_at`,
    [trigger, host.hostname, host.pid],
  );
  return { runId: BigInt(rows[0]!.id), startedAt: rows[0]!.started_at };
}

export async function runningRunIds(q: Queryable): Promise<bigint[]> {
  const { rows } = await q.query<{ id: string }>(`SELECT id FROM sync_runs WHERE status = 'running' ORDER BY id`);
  return rows.map((r) => BigInt(r.id));
}

/** A run and its unfinished lists, closed in one statement (reaping, a refused final record, a forced stop). */
export async function closeRun(q: Queryable, runId: bigint, status: RunStatus, code: string, message: string): Promise<void> {
  await q.query(
    `WITH lists AS (
       UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = $3, error_message = $4
       WHERE run_id = $1 AND outcome = 'running')
     UPDATE sync_runs SET status = $2, finished_at = now(), error_code = $3, error_message = $4
     WHERE id = $1 AND status = 'running'`,
    [runId, status, code, message],
  );
}

/**
 * A run other than `exceptRunId` that synced the list successfully after `since`. Such a
 * run also finished after `since`, which bounds the scan to the list's recent records.
 */
export async function listSucceededSince(
  q: Queryable,
  list: ListId,
  since: Date,
  exceptRunId: bigint,
): Promise<bigint | undefined> {
  const { rows } = await q.query<{ run_id: string }>(
    `SELECT run_id FROM sync_run_segments
     WHERE segment_id = $1 AND status = $2 AND finished_at >= $3 AND started_at >= $3 AND outcome = 'succeeded' AND run_id <> $4
     LIMIT 1`,
    [list.segmentId, list.status, since, exceptRunId],
  );
  return rows[0] ? BigInt(rows[0].run_id) : undefined;
}

export async function insertListRun(q: Queryable, runId: bigint, list: ListId): Promise<bigint> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome) VALUES ($1, $2, $3, 'running') RETURNING id`,
    [runId, list.segmentId, list.status],
  );
  return BigInt(rows[0]!.id);
}

const INT4_MAX = 2_147_483_647;
const COUNTS = Object.entries(LIST_COUNT_COLUMNS) as Array<[CountField, string]>;
const FAILURE_COLUMNS = ['error_code', 'error_message', 'error_http_status', 'error_api_id', 'error_request_id'];
const failureValues = (f: FailureColumns | undefined) => [
  f?.code ?? null,
  f?.message ?? null,
  f?.httpStatus ?? null,
  f?.apiId ?? null,
  f?.requestId ?? null,
];
/** `col = $n, ...` from parameter `first` on. */
const assignments = (columns: readonly string[], first: number) => columns.map((c, i) => `${c} = $${i + first}`).join(', ');

/** What a read of a list learnt about how the server serves it (NULL: nothing, the list's state keeps what it had). */
export interface ListLearning {
  readonly readMode: 'probe' | 'full' | null;
  readonly servedOrder: 'newest_first' | 'other' | null;
  readonly servedPerPage: number | null;
  readonly needsFullRead: boolean | null;
}

const LEARNING_COLUMNS = ['read_mode', 'served_order', 'served_per_page', 'needs_full_read'];

const FINISH_LIST = `UPDATE sync_run_segments SET outcome = $2, finished_at = now(), ${assignments(
  [...COUNTS.map(([, column]) => column), 'total_items', 'settled', 'verified', ...FAILURE_COLUMNS, ...LEARNING_COLUMNS],
  3,
)} WHERE id = $1`;

export async function finishListRun(
  q: Queryable,
  listRunId: bigint,
  outcome: ListOutcome,
  counts: ListCounts,
  details: {
    readonly settled: boolean | null;
    readonly verified: boolean;
    readonly failure: FailureColumns | undefined;
    readonly learning: ListLearning | undefined;
  },
): Promise<void> {
  const l = details.learning;
  await q.query(FINISH_LIST, [
    listRunId,
    outcome,
    ...COUNTS.map(([field]) => counts[field]),
    // An integer column: a hostile server may announce more (the read bounds its pages anyway).
    counts.totalItems === null ? null : Math.min(counts.totalItems, INT4_MAX),
    details.settled,
    details.verified,
    ...failureValues(details.failure),
    l?.readMode ?? null,
    l?.servedOrder ?? null,
    l?.servedPerPage ?? null,
    l?.needsFullRead ?? null,
  ]);
}

/** A list the run did not read, recorded finished at once with the reason. */
export async function insertSkippedListRun(
  q: Queryable,
  runId: bigint,
  list: ListId,
  code: string,
  message: string,
): Promise<void> {
  await q.query(
    `INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, finished_at, error_code, error_message)
     VALUES ($1, $2, $3, 'skipped', now(), $4, $5)`,
    [runId, list.segmentId, list.status, code, message],
  );
}

export async function abortRunningLists(q: Queryable, runId: bigint, code: string, message: string): Promise<void> {
  await q.query(
    `UPDATE sync_run_segments SET outcome = 'aborted', finished_at = now(), error_code = $2, error_message = $3
     WHERE run_id = $1 AND outcome = 'running'`,
    [runId, code, message],
  );
}

const FINISH_RUN = `UPDATE sync_runs SET status = $2, finished_at = now(), ${assignments(
  ['lists_total', 'lists_failed', ...RUN_TOTAL_FIELDS.map((field) => LIST_COUNT_COLUMNS[field]), 'error_code', 'error_message'],
  3,
)} WHERE id = $1`;

export async function finishRunRecord(
  q: Queryable,
  runId: bigint,
  status: FinalRunStatus,
  totals: RunTotals,
  failure: FailureColumns | undefined,
): Promise<void> {
  await q.query(FINISH_RUN, [
    runId,
    status,
    totals.listsTotal,
    totals.listsFailed,
    ...RUN_TOTAL_FIELDS.map((field) => totals[field]),
    failure?.code ?? null,
    failure?.message ?? null,
  ]);
}
