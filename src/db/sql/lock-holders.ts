import type { Queryable } from './queryable.js';

/**
 * Who keeps a migration from its locks: a BI session left idle in transaction after
 * reading a view, a pg_dump holding ACCESS SHARE on every table for the whole dump.
 * Said to the operator by pid, application and user, so the session can be found.
 */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string;
  readonly user: string | null;
  /** active, idle in transaction, ... (null when the role may not see it). */
  readonly state: string | null;
  readonly transactionStart: Date | null;
  readonly stateChange: Date | null;
  /** The start of its current or last statement; `<insufficient privilege>` for another role's session. */
  readonly query: string | null;
}

/** Enough of a statement to recognise it (a dashboard's query, COPY of pg_dump) without copying whole texts into logs. */
export const QUERY_SHOWN = 100;

interface HolderRow {
  pid: number;
  application_name: string | null;
  usename: string | null;
  state: string | null;
  xact_start: Date | null;
  state_change: Date | null;
  query: string | null;
}

const HOLDER_COLUMNS = `a.pid, a.application_name, a.usename, a.state, a.xact_start, a.state_change, left(a.query, $2) AS query`;

const toHolder = (r: HolderRow): LockHolder => ({
  pid: r.pid,
  applicationName: r.application_name ?? '',
  user: r.usename,
  state: r.state,
  transactionStart: r.xact_start,
  stateChange: r.state_change,
  query: r.query,
});

/** The sessions `pid` waits for at this moment (holding, or queued ahead for, a conflicting lock); empty when it waits for none. */
export async function sessionsBlocking(db: Queryable, pid: number): Promise<LockHolder[]> {
  const { rows } = await db.query<HolderRow>(
    `SELECT ${HOLDER_COLUMNS}
       FROM pg_stat_activity a
      WHERE a.pid = ANY (pg_blocking_pids($1))
      ORDER BY a.xact_start NULLS LAST, a.pid`,
    [pid, QUERY_SHOWN],
  );
  return rows.map(toHolder);
}

/**
 * Other sessions holding a lock on a table or view of `schema`: who a migration that
 * timed out on a lock most likely waited for, when nobody saw it wait.
 */
export async function sessionsLockingSchema(db: Queryable, schema: string): Promise<LockHolder[]> {
  const { rows } = await db.query<HolderRow>(
    `SELECT ${HOLDER_COLUMNS}
       FROM pg_stat_activity a
      WHERE a.pid <> pg_backend_pid()
        AND a.pid IN (SELECT l.pid
                        FROM pg_locks l
                        JOIN pg_class c ON c.oid = l.relation
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE l.locktype = 'relation' AND l.granted
                         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND n.nspname = $1)
      ORDER BY a.xact_start NULLS LAST, a.pid`,
    [schema, QUERY_SHOWN],
  );
  return rows.map(toHolder);
}
