import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Roles are cluster-wide: a unique name keeps parallel or repeated runs apart. */
export function uniqueRoleName(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString('hex')}`;
}

/** A connection to the database of `databaseUrl` as another login role. */
export async function connectAs(databaseUrl: string, role: string, password: string): Promise<pg.Client> {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** Drops a role the test made (its grants go with the test's database). */
export async function dropRole(role: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env['DETRACTOR_TEST_ADMIN_URL'] });
  await admin.connect();
  try {
    await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}
