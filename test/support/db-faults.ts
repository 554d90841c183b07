import type { TestDatabase } from './database.js';

// Faults injected into the real database, for the run's bookkeeping: triggers that
// refuse a statement, and a trigger that records whether a list's lock was held at
// every membership write. Nothing is mocked: the service sees PostgreSQL's own errors.

let injected = 0;

export interface StatementFault {
  readonly table: 'sync_runs' | 'sync_run_segments';
  readonly event: 'INSERT' | 'UPDATE';
  /** A condition on NEW (and OLD for updates), e.g. `NEW.segment_id = 802`. */
  readonly when: string;
  /** How many matching statements fail; later ones pass. */
  readonly times: number;
  /** XX000: a refusal (internal error); 08006: looks like a lost connection. */
  readonly sqlstate: 'XX000' | '08006';
}

/**
 * Makes matching statements fail with the given SQLSTATE. The budget is a sequence:
 * sequences are not rolled back with the failing transaction.
 */
export async function failStatements(tdb: TestDatabase, fault: StatementFault): Promise<void> {
  const name = `test_fault_${++injected}`;
  await tdb.query(`CREATE SEQUENCE ${name}_seq`);
  await tdb.query(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (${fault.when}) AND nextval('${name}_seq') <= ${fault.times} THEN
        RAISE EXCEPTION 'injected fault: ${fault.event} on ${fault.table} refused' USING ERRCODE = '${fault.sqlstate}';
      END IF;
      RETURN NEW;
    END $$`);
  await tdb.query(`CREATE TRIGGER ${name} BEFORE ${fault.event} ON ${fault.table} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
}

/**
 * Records, for every membership written, whether some session held that list's
 * advisory lock at that moment (a bigint advisory key shows in pg_locks as two halves).
 */
export async function auditListLocks(tdb: TestDatabase): Promise<() => Promise<Array<{ segment_id: string; locked: boolean }>>> {
  await tdb.query('CREATE TABLE test_lock_audit (segment_id bigint, status integer, locked boolean)');
  await tdb.query(`
    CREATE FUNCTION test_lock_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE k bigint := hashtextextended('detractor-sync:list:' || NEW.segment_id || ':' || NEW.status, 0);
    BEGIN
      INSERT INTO test_lock_audit VALUES (NEW.segment_id, NEW.status, EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND classid::bigint = ((k >> 32) & 4294967295) AND objid::bigint = (k & 4294967295)));
      RETURN NEW;
    END $$`);
  await tdb.query(
    'CREATE TRIGGER test_lock_audit AFTER INSERT OR UPDATE ON detractor_ticket_segments FOR EACH ROW EXECUTE FUNCTION test_lock_audit()',
  );
  return () => tdb.query('SELECT segment_id, locked FROM test_lock_audit');
}

/** The run's bookkeeping connections still open on this database, waiting up to 5 s for closes to land. */
export async function openRunConnections(tdb: TestDatabase): Promise<number> {
  for (let waited = 0; ; waited += 50) {
    const [row] = await tdb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'detractor-sync-runs'`,
    );
    if (row?.n === 0 || waited >= 5_000) return row?.n ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
