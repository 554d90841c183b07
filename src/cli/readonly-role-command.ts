import { parseArgs } from 'node:util';
import pg from 'pg';
import { envSchema } from '../config/env-schema.js';
import { readonlyRoleSql } from '../db/readonly-role.js';
import { PII_FREE_RELATIONS } from '../db/relation-privacy.js';
import { ConfigError } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';

/**
 * `npm run db:readonly-role -- [--role detractor_reader] [--no-pii] [--print]`: creates
 * or refreshes the read-only role for BI tools in DATABASE_URL's database and
 * DATABASE_SCHEMA, with the password from READONLY_ROLE_PASSWORD. `--no-pii` grants
 * only the views and tables without personal data. `--print` shows the SQL (password
 * masked) instead of running it, for a DBA to review.
 */
const roleEnv = envSchema.pick({ DATABASE_SCHEMA: true });

export async function readonlyRoleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string', default: 'detractor_reader' },
      'no-pii': { type: 'boolean' },
      print: { type: 'boolean' },
    },
    strict: true,
  });
  const role = values.role;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new ConfigError([{ variable: '--role', message: 'expected a lower-case PostgreSQL role name (letters, digits, _)' }]);
  }
  const env = roleEnv.safeParse(process.env);
  if (!env.success) {
    throw new ConfigError(env.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })));
  }
  const schema = env.data.DATABASE_SCHEMA;
  const noPii = values['no-pii'] === true;
  const url = process.env['DATABASE_URL']?.trim();
  if (!url) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required: the database to grant on, as its owner' }]);
  const password = process.env['READONLY_ROLE_PASSWORD'];
  if (!values.print && (!password || password.length < 12)) {
    throw new ConfigError([{ variable: 'READONLY_ROLE_PASSWORD', message: 'is required, at least 12 characters' }]);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string; owner: string }>('SELECT current_database() AS db, current_user AS owner');
    const sql = readonlyRoleSql({ role, password: password ?? '', database: rows[0]!.db, owner: rows[0]!.owner, schema, noPii });
    if (values.print) {
      console.log(sql.replace(/PASSWORD '(?:[^']|'')*'/, "PASSWORD '********'"));
      return 0;
    }
    await client.query(sql);
    console.log(
      `read-only role ${role} ready on ${maskUrlPassword(url)}, schema ${schema}: ` +
        (noPii
          ? `SELECT on the ${PII_FREE_RELATIONS.length} relations without personal data only (${PII_FREE_RELATIONS.join(', ')})`
          : 'SELECT on every table and view, not _prisma_migrations'),
    );
    return 0;
  } finally {
    await client.end();
  }
}
