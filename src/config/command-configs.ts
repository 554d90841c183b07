import { migrationSettings, parseEnv, type Config } from './config.js';
import { DEFAULT_WORKER_STATE_FILE } from './defaults.js';
import { envSchema, optionalText } from './env-schema.js';

/**
 * The configuration of the commands that do not sync, each validated against its own
 * part of the schema: `status` needs no API key and no segments, `healthcheck` only
 * the worker's state file. Same variables, same checks and messages as loadConfig.
 */

/** Where a command finds the database: DATABASE_URL, or the embedded PostgreSQL in .data/. */
export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'databaseSchema' | 'embeddedPostgresPort'>;

export interface StatusConfig extends DatabaseConfig {
  /** The key whose calls the budget report shows; undefined: the key that made the last call. */
  readonly apiKey: string | undefined;
  readonly budget: Config['budget'];
  /** SYNC_TIMEZONE: where the budget's periods and days begin. */
  readonly timezone: string;
  /** A brand-new or older database is migrated first, as the worker would. */
  readonly migrations: Config['migrations'];
}

const statusSchema = envSchema
  .pick({
    DATABASE_URL: true,
    DATABASE_SCHEMA: true,
    EMBEDDED_POSTGRES_PORT: true,
    API_CALL_BUDGET: true,
    API_BUDGET_PERIOD: true,
    API_BUDGET_PERIOD_START_DAY: true,
    SYNC_TIMEZONE: true,
    MIGRATIONS_ALLOW_MISMATCH: true,
    MIGRATIONS_LOCK_TIMEOUT_MS: true,
    MIGRATIONS_STATEMENT_TIMEOUT: true,
    MIGRATIONS_WAIT_MAX: true,
  })
  .extend({ QUESTIONPRO_API_KEY: optionalText });

export function loadStatusConfig(env: NodeJS.ProcessEnv = process.env): StatusConfig {
  const e = parseEnv(statusSchema, env);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    apiKey: e.QUESTIONPRO_API_KEY,
    budget: Object.freeze({
      calls: e.API_CALL_BUDGET,
      period: e.API_BUDGET_PERIOD,
      periodStartDay: e.API_BUDGET_PERIOD_START_DAY,
    }),
    timezone: e.SYNC_TIMEZONE,
    migrations: migrationSettings(e),
  });
}

export interface RoleConfig {
  /** The database to grant on, as its owner; undefined: not configured (an error for every use but --print). */
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string;
  readonly password: string | undefined;
}

const roleSchema = envSchema.pick({ DATABASE_URL: true, DATABASE_SCHEMA: true, READONLY_ROLE_PASSWORD: true });

export function loadRoleConfig(env: NodeJS.ProcessEnv = process.env): RoleConfig {
  const e = parseEnv(roleSchema, env);
  return Object.freeze({ databaseUrl: e.DATABASE_URL, databaseSchema: e.DATABASE_SCHEMA, password: e.READONLY_ROLE_PASSWORD });
}

export interface HealthcheckConfig {
  readonly workerStateFile: string;
}

export function loadHealthcheckConfig(env: NodeJS.ProcessEnv = process.env): HealthcheckConfig {
  const e = parseEnv(envSchema.pick({ WORKER_STATE_FILE: true }), env);
  return Object.freeze({ workerStateFile: e.WORKER_STATE_FILE ?? DEFAULT_WORKER_STATE_FILE });
}
