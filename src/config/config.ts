import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { urlSecrets, webhookSecrets } from '../logging/secret-redactor.js';
import { DEFAULT_WORKER_STATE_FILE } from './defaults.js';
import { envDescriptions, envSchema, type Datacenter } from './env-schema.js';

export interface Config {
  readonly questionpro: {
    readonly apiKey: string;
    readonly baseUrl: string;
    /** Deadline of one request, body included. */
    readonly timeoutMs: number;
    readonly maxResponseBytes: number;
    readonly pageSize: number;
    readonly rateLimitPerMinute: number;
    /** The window the API counts `rateLimitPerMinute` calls in (QuestionPro: 60 s). */
    readonly rateWindowMs: number;
  };
  readonly retry: {
    readonly retries: number;
    readonly minDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly sync: {
    readonly segments: readonly number[];
    readonly statuses: readonly number[];
    readonly maxPasses: number;
    readonly confirmPass: boolean;
    readonly concurrency: number;
    /** Seconds between verified crawls of a list; 0: every run verifies. */
    readonly verifyIntervalSeconds: number;
    /** Statuses whose lists come first when the budget is short. */
    readonly openStatuses: readonly number[];
    /** Per status, the least seconds between two reads of its lists. */
    readonly statusIntervalSeconds: Readonly<Record<number, number>>;
  };
  /** The API call budget; `calls` undefined: none. */
  readonly budget: {
    readonly calls: number | undefined;
    readonly period: 'day' | 'month';
    readonly periodStartDay: number;
  };
  readonly schedule: {
    readonly cron: string;
    readonly timezone: string;
    readonly runOnStart: boolean;
  };
  readonly status: {
    readonly port: number;
    readonly host: string;
    /** undefined: three schedule intervals. */
    readonly staleAfterSeconds: number | undefined;
    /** Where the worker records its pid, endpoint and heartbeat (for `healthcheck`). */
    readonly workerStateFile: string;
  };
  /** What the views show beside the codes: written to the database at start. */
  readonly reporting: {
    readonly segmentNames: ReadonlyMap<number, string>;
    readonly statusLabels: ReadonlyMap<number, string>;
    /** The time zone of the daily view's calendar days. */
    readonly timezone: string;
  };
  /** Days of run records and ledger minutes kept (older ones pruned after each run); 0: all. */
  readonly retentionDays: number;
  /** Where changes of state are posted (a secret: its path is a token); undefined: nowhere. */
  readonly notifyWebhookUrl: string | undefined;
  /** Deadline of one post to the webhook. */
  readonly notifyTimeoutMs: number;
  /** Where the one-shot sync pushes its metrics; undefined: nowhere. */
  readonly pushgatewayUrl: string | undefined;
  /** undefined: start an embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  /** The PostgreSQL schema of every table and view. */
  readonly databaseSchema: string;
  readonly migrations: MigrationSettings;
  /** Preferred port of the embedded PostgreSQL when databaseUrl is unset (0: any free port). */
  readonly embeddedPostgresPort: number;
  /** After a stop signal, how long a graceful stop may take before it turns forceful. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
}

export interface MigrationSettings {
  /** A database ahead of this build, or an edited applied migration, only warns instead of stopping. */
  readonly allowMismatch: boolean;
  /** How long one migration statement may wait for a lock before the migration rolls back and is retried. */
  readonly lockTimeoutMs: number;
  /** Longest run of one migration statement; 0: no limit. */
  readonly statementTimeoutSeconds: number;
  /** How long a migration kept from its locks is retried before the command stops. */
  readonly maxWaitSeconds: number;
}

/** The migration settings of parsed variables: one place for every command that opens the database. */
export function migrationSettings(e: {
  MIGRATIONS_ALLOW_MISMATCH: boolean;
  MIGRATIONS_LOCK_TIMEOUT_MS: number;
  MIGRATIONS_STATEMENT_TIMEOUT: number;
  MIGRATIONS_WAIT_MAX: number;
}): MigrationSettings {
  return Object.freeze({
    allowMismatch: e.MIGRATIONS_ALLOW_MISMATCH,
    lockTimeoutMs: e.MIGRATIONS_LOCK_TIMEOUT_MS,
    statementTimeoutSeconds: e.MIGRATIONS_STATEMENT_TIMEOUT,
    maxWaitSeconds: e.MIGRATIONS_WAIT_MAX,
  });
}

export function baseUrlFor(env: Datacenter): string {
  return `https://api.questionpro.${env}/a/api/v2`;
}

type Env = z.output<typeof envSchema>;

/** The API client's settings, for every command that calls the API. */
export function questionproSettings(
  e: Pick<
    Env,
    | 'QUESTIONPRO_API_KEY'
    | 'QUESTIONPRO_ENV'
    | 'QUESTIONPRO_BASE_URL'
    | 'HTTP_TIMEOUT_MS'
    | 'HTTP_MAX_RESPONSE_BYTES'
    | 'SYNC_PAGE_SIZE'
    | 'API_RATE_LIMIT_PER_MIN'
    | 'API_RATE_WINDOW_SECONDS'
  >,
): Config['questionpro'] {
  return Object.freeze({
    apiKey: e.QUESTIONPRO_API_KEY,
    baseUrl: (e.QUESTIONPRO_BASE_URL ?? baseUrlFor(e.QUESTIONPRO_ENV)).replace(/\/+$/, ''),
    timeoutMs: e.HTTP_TIMEOUT_MS,
    maxResponseBytes: e.HTTP_MAX_RESPONSE_BYTES,
    pageSize: e.SYNC_PAGE_SIZE,
    rateLimitPerMinute: e.API_RATE_LIMIT_PER_MIN,
    rateWindowMs: e.API_RATE_WINDOW_SECONDS * 1_000,
  });
}

export function retrySettings(e: Pick<Env, 'RETRY_ATTEMPTS' | 'RETRY_MIN_DELAY_MS' | 'RETRY_MAX_DELAY_MS'>): Config['retry'] {
  return Object.freeze({
    retries: e.RETRY_ATTEMPTS,
    minDelayMs: e.RETRY_MIN_DELAY_MS,
    maxDelayMs: Math.max(e.RETRY_MAX_DELAY_MS, e.RETRY_MIN_DELAY_MS),
  });
}

const ENV_ORDER: readonly string[] = Object.keys(envDescriptions);

/**
 * The environment without the variables set to nothing: `API_BUDGET_PERIOD=` in a .env
 * file, or a compose `${VAR}` left blank, means "the default", for every variable alike.
 * Whitespace only counts as nothing too; a value with text in it is passed on as written.
 */
function withoutBlanks(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}

/**
 * Validates the environment against a schema (the whole one, or a command's part of it).
 * Every invalid variable is reported at once, each once with its name, so a broken
 * deployment is fixed in one round. The only place a zod issue becomes a ConfigError.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const given = withoutBlanks(env);
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  // One message per variable: the first zod raised, the most specific (a later check of
  // the same value mostly restates it, sometimes in zod's raw words).
  const messages = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const variable = String(issue.path[0] ?? 'environment');
    const message = issue.code === 'invalid_type' && given[variable] === undefined ? 'is required' : issue.message;
    if (!messages.has(variable)) messages.set(variable, message);
  }
  // In the order .env.example lists them, whatever order the environment had.
  const position = (variable: string) => {
    const index = ENV_ORDER.indexOf(variable);
    return index < 0 ? ENV_ORDER.length : index;
  };
  const problems = [...messages].map(([variable, message]) => ({ variable, message }));
  throw new ConfigError(problems.sort((a, b) => position(a.variable) - position(b.variable)));
}

/** Reads and validates the configuration of the commands that sync (worker, sync, demo) once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(envSchema, env);
  return Object.freeze({
    questionpro: questionproSettings(e),
    retry: retrySettings(e),
    sync: Object.freeze({
      segments: Object.freeze([...e.SYNC_SEGMENTS]),
      statuses: Object.freeze([...e.SYNC_STATUSES]),
      maxPasses: e.SYNC_MAX_PASSES,
      confirmPass: e.SYNC_CONFIRM_PASS,
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
    schedule: Object.freeze({
      cron: e.SYNC_CRON,
      timezone: e.SYNC_TIMEZONE,
      runOnStart: e.SYNC_RUN_ON_START,
    }),
    status: Object.freeze({
      port: e.HTTP_PORT,
      host: e.HTTP_HOST,
      staleAfterSeconds: e.SYNC_STALE_AFTER_SECONDS,
      workerStateFile: e.WORKER_STATE_FILE ?? DEFAULT_WORKER_STATE_FILE,
    }),
    reporting: Object.freeze({
      segmentNames: e.SYNC_SEGMENT_NAMES,
      statusLabels: e.SYNC_STATUS_LABELS,
      timezone: e.REPORT_TIMEZONE ?? e.SYNC_TIMEZONE,
    }),
    retentionDays: e.RETENTION_DAYS,
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
    notifyTimeoutMs: e.NOTIFY_TIMEOUT_MS,
    pushgatewayUrl: e.METRICS_PUSHGATEWAY_URL,
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    migrations: migrationSettings(e),
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  });
}

/** Values that must never reach a log line or a table, whatever echoes them. */
export function secretsOf(
  config: Pick<Config, 'questionpro' | 'databaseUrl'> & {
    readonly pushgatewayUrl?: string | undefined;
    readonly notifyWebhookUrl?: string | undefined;
  },
): string[] {
  return [
    config.questionpro.apiKey,
    ...urlSecrets(config.databaseUrl),
    ...urlSecrets(config.questionpro.baseUrl),
    ...urlSecrets(config.pushgatewayUrl),
    ...webhookSecrets(config.notifyWebhookUrl),
  ];
}

/** Loads `.env` from the working directory when present; real environment wins. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
