import type { QueryResult, QueryResultRow } from 'pg';

/**
 * Anything that runs one statement with parameters: a node-postgres client, or the run
 * bookkeeping connection (db/run-connection.ts), which serialises and reconnects.
 */
export interface Queryable {
  query<T extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}
