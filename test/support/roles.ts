import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.js';
import { createEmptyDatabase } from './database.js';

/** Roles are cluster-wide: a unique name keeps parallel or repeated runs apart. */
export function uniqueRoleName(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString('hex')}`;
}

/** `databaseUrl` with another login role's name and password. */
export function urlAs(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}

/** A connection to the database of `databaseUrl` as another login role. */
export async function connectAs(databaseUrl: string, role: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlAs(databaseUrl, role, password) });
  await client.connect();
  return client;
}

/** Runs one statement on the test server as its superuser, outside any test database (roles are cluster-wide). */
export async function asAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]> {
  const admin = new pg.Client({ connectionString: process.env['DETRACTOR_TEST_ADMIN_URL'] });
  await admin.connect();
  try {
    return (await admin.query<T>(sql, params)).rows;
  } finally {
    await admin.end();
  }
}

/** Drops a role the test made (its grants go with the test's database). */
export async function dropRole(role: string): Promise<void> {
  await asAdmin(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
}

export interface OwnedDatabase {
  /** The owner's connection URL. */
  readonly url: string;
  /** The same database as the test server's superuser. */
  readonly adminUrl: string;
  drop(): Promise<void>;
}

/**
 * A database as a managed PostgreSQL (RDS, Cloud SQL, Azure) hands it out: its owner
 * may create roles (CREATEROLE) but is no superuser, and owns every table because it
 * ran the migrations. `migrated: false` leaves it empty.
 */
export async function createOwnedDatabase(owner: string, password: string, migrated = true): Promise<OwnedDatabase> {
  const database = await createEmptyDatabase('owned');
  const name = new URL(database.url).pathname.slice(1);
  await asAdmin(`ALTER DATABASE ${pg.escapeIdentifier(name)} OWNER TO ${pg.escapeIdentifier(owner)}`);
  const url = urlAs(database.url, owner, password);
  if (migrated) await migrate(url, pino({ level: 'silent' }));
  return { url, adminUrl: database.url, drop: () => database.drop() };
}

/** A login role with CREATEROLE and none of the other powers, as a database owner on a managed service has. */
export async function createOwnerRole(owner: string, password: string): Promise<void> {
  await asAdmin(
    `CREATE ROLE ${pg.escapeIdentifier(owner)} LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION PASSWORD ${pg.escapeLiteral(password)}`,
  );
}
