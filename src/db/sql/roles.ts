import { escapeIdentifier, escapeLiteral } from 'pg';
import { PII_FREE_RELATIONS } from '../relation-privacy.js';
import type { Queryable } from './queryable.js';

/** The SQLSTATE the recipe raises when the role exists with more power than reading (a code of our own, class "DS"). */
export const ROLE_TOO_POWERFUL = 'DSR01';

export interface ReadonlyRoleOptions {
  readonly role: string;
  readonly password: string;
  /** The database to grant CONNECT on. */
  readonly database: string;
  /** The schema of the tables and views (DATABASE_SCHEMA). */
  readonly schema: string;
  /** The role that owns the tables (runs the migrations); future tables it creates are granted too. */
  readonly owner: string;
  /** Grant only the relations without personal data (PII_FREE_RELATIONS). */
  readonly noPii: boolean;
}

/**
 * The SQL that creates (or updates) a read-only login for BI tools: SELECT on the
 * schema's tables and views, nothing else: not Prisma's migration table, no writes,
 * no DDL. Full mode grants every table and view, now and in future (default
 * privileges). --no-pii mode grants the PII-free relations only and removes every
 * other grant, including the default privileges of an earlier full grant; views a
 * later version adds need the recipe run again. Every statement is idempotent, so
 * running it again after new migrations refreshes the grants, and switching mode
 * leaves exactly the new mode's grants.
 */
export function readonlyRoleSql(o: ReadonlyRoleOptions): string {
  const role = escapeIdentifier(o.role);
  const schema = escapeIdentifier(o.schema);
  const owner = escapeIdentifier(o.owner);
  const qualified = (relation: string) => `${schema}.${escapeIdentifier(relation)}`;
  const grants = o.noPii
    ? [
        `REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role};`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} REVOKE SELECT ON TABLES FROM ${role};`,
        `GRANT SELECT ON ${PII_FREE_RELATIONS.map(qualified).join(', ')} TO ${role};`,
      ]
    : [
        `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`,
        `REVOKE ALL ON ${qualified('_prisma_migrations')} FROM ${role};`,
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role};`,
      ];
  return `-- Read-only role for BI tools (idempotent)${o.noPii ? ', without personal data' : ''}.
-- One transaction, so a failed step leaves nothing behind: the CLI sends it as one query; psql needs --single-transaction.
-- No superuser-only clause: an owner with CREATEROLE may run it (managed PostgreSQL gives no superuser).
-- A role that already exists with more power than reading is refused, not quietly kept powerful:
-- taking SUPERUSER or REPLICATION away needs a superuser, and this recipe must not need one.
DO $$
DECLARE
  powers text[];
BEGIN
  SELECT array_remove(ARRAY[
           CASE WHEN rolsuper THEN 'SUPERUSER' END,
           CASE WHEN rolcreatedb THEN 'CREATEDB' END,
           CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
           CASE WHEN rolreplication THEN 'REPLICATION' END], NULL)
    INTO powers FROM pg_roles WHERE rolname = ${escapeLiteral(o.role)};
  IF NOT FOUND THEN
    CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
  ELSIF cardinality(powers) > 0 THEN
    RAISE EXCEPTION 'role "%" already exists with %, which a read-only role must not have: '
      'choose another role name (--role), or have a superuser run ALTER ROLE % NO%',
      ${escapeLiteral(o.role)}, array_to_string(powers, ', '), quote_ident(${escapeLiteral(o.role)}), array_to_string(powers, ' NO')
      USING ERRCODE = '${ROLE_TOO_POWERFUL}';
  END IF;
END
$$;
ALTER ROLE ${role} WITH LOGIN PASSWORD ${escapeLiteral(o.password)};
-- Even a mistaken grant cannot make it write; runaway dashboard queries are cut off.
ALTER ROLE ${role} SET default_transaction_read_only = on;
ALTER ROLE ${role} SET statement_timeout = '120s';
-- Queries name the views unqualified, whatever DATABASE_SCHEMA is.
ALTER ROLE ${role} IN DATABASE ${escapeIdentifier(o.database)} SET search_path = ${schema};
GRANT CONNECT ON DATABASE ${escapeIdentifier(o.database)} TO ${role};
GRANT USAGE ON SCHEMA ${schema} TO ${role};
${
  o.schema === 'public'
    ? `-- PostgreSQL < 15 lets every role create objects in "public"; nobody should but the owner.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
`
    : ''
}${grants.join('\n')}
`;
}

/** The database and the role the connection works as: what the read-only role is granted on, and by whom. */
export async function currentDatabaseAndUser(q: Queryable): Promise<{ database: string; user: string }> {
  const { rows } = await q.query<{ db: string; owner: string }>('SELECT current_database() AS db, current_user AS owner');
  return { database: rows[0]!.db, user: rows[0]!.owner };
}

/** Runs the recipe readonlyRoleSql() made, as one multi-statement query. */
export async function applyRoleRecipe(q: Queryable, sql: string): Promise<void> {
  await q.query(sql);
}
