import { parseArgs } from 'node:util';
import pg from 'pg';
import { readonlyRoleSql } from '../db/readonly-role.js';
import { ConfigError } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';

/**
 * `npm run db:readonly-role -- [--role detractor_reader] [--print]`: creates or
 * refreshes the read-only role for BI tools in DATABASE_URL's database, with the
 * password from READONLY_ROLE_PASSWORD. `--print` shows the SQL (password masked)
 * instead of running it, for a DBA to review.
 */
export async function readonlyRoleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { role: { type: 'string', default: 'detractor_reader' }, print: { type: 'boolean' } },
    strict: true,
  });
  const role = values.role;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new ConfigError([{ variable: '--role', message: 'expected a lower-case PostgreSQL role name (letters, digits, _)' }]);
  }
  const url = process.env['DATABASE_URL'];
  if (!url) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required: the database to grant on, as its owner' }]);
  const password = process.env['READONLY_ROLE_PASSWORD'];
  if (!values.print && (!password || password.length < 12)) {
    throw new ConfigError([{ variable: 'READONLY_ROLE_PASSWORD', message: 'is required, at least 12 characters' }]);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string; owner: string }>('SELECT current_database() AS db, current_user AS owner');
    const sql = readonlyRoleSql({ role, password: password ?? '', database: rows[0]!.db, owner: rows[0]!.owner });
    if (values.print) {
      console.log(sql.replace(/PASSWORD '(?:[^']|'')*'/, "PASSWORD '********'"));
      return 0;
    }
    await client.query(sql);
    console.log(
      `read-only role ${role} ready on ${maskUrlPassword(url)} (SELECT on every table and view, not _prisma_migrations)`,
    );
    return 0;
  } finally {
    await client.end();
  }
}
