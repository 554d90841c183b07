import { parseEnv, questionproSettings, retrySettings, type Config } from './config.js';
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

/**
 * `check`: the API settings and the list settings, nothing of the worker's own. The
 * database is optional: with DATABASE_URL the check's calls go through the call ledger
 * (so budgets count them); without it no database is needed, and none is started.
 */
export interface CheckConfig {
  readonly questionpro: Config['questionpro'];
  readonly retry: Config['retry'];
  /** The variable that chose the API's address, as set: "QUESTIONPRO_BASE_URL" or "QUESTIONPRO_ENV=com". */
  readonly apiAddressFrom: string;
  readonly sync: Pick<
    Config['sync'],
    'segments' | 'statuses' | 'concurrency' | 'verifyIntervalSeconds' | 'openStatuses' | 'statusIntervalSeconds'
  >;
  readonly budget: Config['budget'];
  readonly schedule: Pick<Config['schedule'], 'cron' | 'timezone'>;
  readonly reporting: Pick<Config['reporting'], 'segmentNames' | 'statusLabels'>;
  /** undefined: no database (never the embedded one). */
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string;
  readonly migrations: Config['migrations'];
  /** LOG_LEVEL when set; the check's logs (retries, failures) go to stderr. */
  readonly logLevel: string | undefined;
}

const checkSchema = envSchema
  .pick({
    QUESTIONPRO_API_KEY: true,
    QUESTIONPRO_ENV: true,
    QUESTIONPRO_BASE_URL: true,
    SYNC_SEGMENTS: true,
    SYNC_STATUSES: true,
    SYNC_PAGE_SIZE: true,
    SYNC_CRON: true,
    SYNC_TIMEZONE: true,
    SYNC_VERIFY_INTERVAL: true,
    SYNC_OPEN_STATUSES: true,
    SYNC_STATUS_INTERVALS: true,
    SYNC_SEGMENT_NAMES: true,
    SYNC_STATUS_LABELS: true,
    API_CALL_BUDGET: true,
    API_BUDGET_PERIOD: true,
    API_BUDGET_PERIOD_START_DAY: true,
    API_RATE_LIMIT_PER_MIN: true,
    SYNC_CONCURRENCY: true,
    HTTP_TIMEOUT_MS: true,
    HTTP_MAX_RESPONSE_BYTES: true,
    RETRY_ATTEMPTS: true,
    RETRY_MIN_DELAY_MS: true,
    RETRY_MAX_DELAY_MS: true,
    DATABASE_URL: true,
    DATABASE_SCHEMA: true,
    MIGRATIONS_ALLOW_MISMATCH: true,
  })
  // Unset means "quiet" here: a person reads the check's own output, not its logs.
  .extend({ LOG_LEVEL: envSchema.shape.LOG_LEVEL.unwrap().optional() });

export function loadCheckConfig(env: NodeJS.ProcessEnv = process.env): CheckConfig {
  const e = parseEnv(checkSchema, env);
  return Object.freeze({
    questionpro: questionproSettings(e),
    retry: retrySettings(e),
    apiAddressFrom: e.QUESTIONPRO_BASE_URL === undefined ? `QUESTIONPRO_ENV=${e.QUESTIONPRO_ENV}` : 'QUESTIONPRO_BASE_URL',
    sync: Object.freeze({
      segments: Object.freeze([...e.SYNC_SEGMENTS]),
      statuses: Object.freeze([...e.SYNC_STATUSES]),
      concurrency: e.SYNC_CONCURRENCY,
      verifyIntervalSeconds: e.SYNC_VERIFY_INTERVAL,
      openStatuses: Object.freeze([...e.SYNC_OPEN_STATUSES]),
      statusIntervalSeconds: Object.freeze({ ...e.SYNC_STATUS_INTERVALS }),
    }),
    budget: Object.freeze({
      calls: e.API_CALL_BUDGET,
      period: e.API_BUDGET_PERIOD,
      periodStartDay: e.API_BUDGET_PERIOD_START_DAY,
    }),
    schedule: Object.freeze({ cron: e.SYNC_CRON, timezone: e.SYNC_TIMEZONE }),
    reporting: Object.freeze({ segmentNames: e.SYNC_SEGMENT_NAMES, statusLabels: e.SYNC_STATUS_LABELS }),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    migrations: Object.freeze({ allowMismatch: e.MIGRATIONS_ALLOW_MISMATCH }),
    logLevel: e.LOG_LEVEL,
  });
}

export interface HealthcheckConfig {
  readonly workerStateFile: string;
}

export function loadHealthcheckConfig(env: NodeJS.ProcessEnv = process.env): HealthcheckConfig {
  const e = parseEnv(envSchema.pick({ WORKER_STATE_FILE: true }), env);
  return Object.freeze({ workerStateFile: e.WORKER_STATE_FILE ?? DEFAULT_WORKER_STATE_FILE });
}
