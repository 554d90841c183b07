import { escapeIdentifier, escapeLiteral } from 'pg';

export interface ReadonlyRoleOptions {
  readonly role: string;
  readonly password: string;
  /** The database to grant CONNECT on. */
  readonly database: string;
  /** The role that owns the tables (runs the migrations); future tables it creates are granted too. */
  readonly owner: string;
}

/**
 * The SQL that creates (or updates) a read-only login for BI tools: SELECT on every
 * table and view of the schema, now and in future (default privileges), nothing
 * else: not Prisma's migration table, no writes, no DDL. Every statement is
 * idempotent, so running it again after new migrations just refreshes the grants.
 */
export function readonlyRoleSql(o: ReadonlyRoleOptions): string {
  const role = escapeIdentifier(o.role);
  const roleName = escapeLiteral(o.role);
  return `-- Read-only role for BI tools (idempotent).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${roleName}) THEN
    CREATE ROLE ${role} LOGIN;
  END IF;
END
$$;
ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${escapeLiteral(o.password)};
-- Even a mistaken grant cannot make it write; runaway dashboard queries are cut off.
ALTER ROLE ${role} SET default_transaction_read_only = on;
ALTER ROLE ${role} SET statement_timeout = '120s';
GRANT CONNECT ON DATABASE ${escapeIdentifier(o.database)} TO ${role};
GRANT USAGE ON SCHEMA public TO ${role};
-- PostgreSQL < 15 lets every role create objects in "public"; nobody should but the owner.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role};
REVOKE ALL ON TABLE "_prisma_migrations" FROM ${role};
ALTER DEFAULT PRIVILEGES FOR ROLE ${escapeIdentifier(o.owner)} IN SCHEMA public GRANT SELECT ON TABLES TO ${role};
`;
}
