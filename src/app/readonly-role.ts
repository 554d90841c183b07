import pg from 'pg';
import type { RoleConfig } from '../config/command-configs.js';
import { PII_FREE_RELATIONS } from '../db/relation-privacy.js';
import { applyRoleRecipe, currentDatabaseAndUser, readonlyRoleSql, ROLE_TOO_POWERFUL } from '../db/sql/roles.js';
import { ConfigError } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';

export interface RoleRequest {
  readonly role: string;
  /** Grant only the relations without personal data. */
  readonly noPii: boolean;
  /** Show the SQL (password masked) instead of running it, for a DBA to review. */
  readonly print: boolean;
}

/**
 * `npm run db:readonly-role`: creates or refreshes the read-only role for BI tools in
 * DATABASE_URL's database and DATABASE_SCHEMA, with READONLY_ROLE_PASSWORD. Returns what
 * to print: the reviewed SQL, or what was granted.
 */
export async function grantReadonlyRole(config: RoleConfig, request: RoleRequest): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(request.role)) {
    throw new ConfigError([{ variable: '--role', message: 'expected a lower-case PostgreSQL role name (letters, digits, _)' }]);
  }
  const url = config.databaseUrl;
  if (!url) throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required: the database to grant on, as its owner' }]);
  if (!request.print && config.password === undefined) {
    throw new ConfigError([{ variable: 'READONLY_ROLE_PASSWORD', message: 'is required, at least 12 characters' }]);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { database, user } = await currentDatabaseAndUser(client);
    const schema = config.databaseSchema;
    const recipe = (password: string) =>
      readonlyRoleSql({ role: request.role, password, database, owner: user, schema, noPii: request.noPii });
    // Masked by making the SQL with a placeholder: no pattern to miss a password in E'...' form.
    if (request.print) return recipe('********');
    await applyRoleRecipe(client, recipe(config.password ?? '')).catch((error: unknown) => {
      // A role that exists with more power than reading: the operator chooses another name (exit 2).
      if ((error as { code?: unknown }).code === ROLE_TOO_POWERFUL)
        throw new ConfigError([{ variable: '--role', message: (error as Error).message }]);
      throw error;
    });
    return (
      `read-only role ${request.role} ready on ${maskUrlPassword(url)}, schema ${schema}: ` +
      (request.noPii
        ? `SELECT on the ${PII_FREE_RELATIONS.length} relations without personal data only (${PII_FREE_RELATIONS.join(', ')})`
        : 'SELECT on every table and view, not _prisma_migrations')
    );
  } finally {
    await client.end();
  }
}
