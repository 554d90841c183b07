import type pg from 'pg';
import type { ListId } from '../lists/list.js';

/**
 * Years of run bookkeeping written straight in SQL (generate_series), as a worker on a
 * one-minute schedule would have left it: one run a minute, one record per list in each
 * (a failure now and then, a verified full read once a day), and the API call ledger of
 * those runs. What the status paths read must cost the same on it as on a fresh database.
 */
export interface AgedHistoryOptions {
  readonly lists: readonly ListId[];
  readonly days: number;
  /** The key the ledger rows are for (its fingerprint). */
  readonly fingerprint: string;
  /** The history ends this long before now, so that the runs measured are the newest. */
  readonly endsMinutesAgo?: number;
  readonly onProgress?: (progress: { readonly daysDone: number; readonly days: number; readonly runs: number }) => void;
}

/** Days seeded per statement: progress to print, transactions of a bounded size. */
const CHUNK_DAYS = 30;

/**
 * One chunk: the runs of [from, to), their list records, their ledger minutes. $1, $2:
 * bounds (timestamptz); $3, $4: the lists' segments and statuses.
 */
const SEED_CHUNK = `
WITH minutes AS (
  SELECT t FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS t
),
runs AS (
  INSERT INTO sync_runs (trigger, status, started_at, finished_at, lists_total, lists_failed, pages, api_calls,
                         tickets_seen, tickets_unchanged, hostname, pid)
  SELECT 'cron', CASE WHEN extract(epoch FROM t)::bigint % 997 = 0 THEN 'partial' ELSE 'succeeded' END, t,
         t + interval '2 seconds', cardinality($3::bigint[]), (extract(epoch FROM t)::bigint % 997 = 0)::int,
         cardinality($3::bigint[]), cardinality($3::bigint[]), 100 * cardinality($3::bigint[]),
         100 * cardinality($3::bigint[]), 'aged-host', 4242
  FROM minutes
  RETURNING id, started_at
)
INSERT INTO sync_run_segments (run_id, segment_id, status, outcome, started_at, finished_at, pages, tickets_seen,
                               tickets_unchanged, total_items, api_calls, settled, verified, read_mode,
                               error_code, error_message, error_http_status, error_request_id)
SELECT r.id, l.segment_id, l.status, CASE WHEN failed THEN 'failed' ELSE 'succeeded' END, r.started_at,
       r.started_at + interval '2 seconds', 1, 100, 100, 1000, 1, NOT failed, daily AND NOT failed,
       CASE WHEN daily THEN 'full' ELSE 'probe' END,
       CASE WHEN failed THEN 'API_ERROR' END,
       CASE WHEN failed THEN 'QuestionPro answered 503: service unavailable' END,
       CASE WHEN failed THEN 503 END,
       CASE WHEN failed THEN 'req-' || r.id END
FROM runs r
CROSS JOIN unnest($3::bigint[], $4::int[]) WITH ORDINALITY AS l(segment_id, status, n)
CROSS JOIN LATERAL (SELECT extract(epoch FROM r.started_at)::bigint / 60 AS m) AS minute
CROSS JOIN LATERAL (SELECT minute.m % 997 = 0 AND l.n = 1 AS failed, minute.m % 1440 = l.n AS daily) AS kind`;

/** The ledger of the same minutes: $3 calls a minute, each ok; $4: the fingerprint. */
const SEED_LEDGER = `
INSERT INTO api_call_ledger (key_fingerprint, minute, outcome, calls)
SELECT $4, t, o.outcome, $3::int
FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS t
CROSS JOIN (VALUES ('sent'), ('ok')) AS o(outcome)
ON CONFLICT (key_fingerprint, minute, outcome) DO NOTHING`;

export async function seedAgedHistory(client: pg.ClientBase, options: AgedHistoryOptions): Promise<{ runs: number }> {
  const segments = options.lists.map((l) => l.segmentId);
  const statuses = options.lists.map((l) => l.status);
  const { rows } = await client.query<{ now: Date }>(`SELECT date_trunc('minute', now()) AS now`);
  const end = new Date(rows[0]!.now.getTime() - (options.endsMinutesAgo ?? 60) * 60_000);
  const start = new Date(end.getTime() - options.days * 86_400_000);
  let runs = 0;
  const chunk = async (from: Date, to: Date, withTrigger: boolean) => {
    await client.query('BEGIN');
    if (!withTrigger) await client.query(`SET LOCAL session_replication_role = replica`);
    const seeded = await client.query(SEED_CHUNK, [from, to, segments, statuses]);
    await client.query(SEED_LEDGER, [from, to, segments.length, options.fingerprint]);
    await client.query('COMMIT');
    runs += Math.round((seeded.rowCount ?? 0) / Math.max(1, segments.length));
  };
  // The list state trigger is not fired per seeded row (millions of calls, each updating
  // the same few rows): the history but its last hour is written as a replica would
  // apply it, the last hour with the trigger, which leaves sync_lists where it would be.
  const lastHour = new Date(end.getTime() - 3_600_000);
  for (let day = 0; day < options.days; day += CHUNK_DAYS) {
    const from = new Date(start.getTime() + day * 86_400_000);
    const to = new Date(Math.min(lastHour.getTime(), from.getTime() + CHUNK_DAYS * 86_400_000));
    if (from < to) await chunk(from, to, false);
    options.onProgress?.({ daysDone: Math.min(options.days, day + CHUNK_DAYS), days: options.days, runs });
  }
  await chunk(lastHour, end, true);
  // What autovacuum gives an aged database: planner statistics and a visibility map.
  await client.query('VACUUM ANALYZE sync_runs, sync_run_segments, api_call_ledger, sync_lists');
  return { runs };
}
