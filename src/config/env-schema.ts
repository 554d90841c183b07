import { isIP } from 'node:net';
import { z } from 'zod';
import { validate as isValidCron } from 'node-cron';
import { labelMapVar } from './label-map.js';

/**
 * Every environment variable the service reads, with its default and a one-line
 * description. `.env.example` mirrors this table (a test keeps them in step).
 */

const DATACENTERS = ['com', 'eu', 'ca', 'sg', 'au', 'ae'] as const;
export type Datacenter = (typeof DATACENTERS)[number];

/** A text variable without a default (parseEnv has already turned an empty one into unset). */
export const optionalText = z.string().trim().optional();

/**
 * A whole number from min to max. Compared as BigInt, before Number(): past 2^53 Number()
 * rounds, and zod's own integer check would answer in its raw words instead of these.
 */
function integerVar(min: number, max: number) {
  const digits = (v: string) => /^\d+$/.test(v);
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number between ${min} and ${max}`)
    .refine((v) => !digits(v) || BigInt(v) >= BigInt(min), `expected at least ${min}`)
    .refine((v) => !digits(v) || BigInt(v) <= BigInt(max), `expected at most ${max}`)
    .transform(Number);
}

/** What the database columns hold: segment_id is bigint (read exactly up to 2^53 - 1 in JS), status integer. */
export const SEGMENT_ID_RANGE = { min: 1, max: Number.MAX_SAFE_INTEGER } as const;
export const STATUS_RANGE = { min: 0, max: 2_147_483_647 } as const;

function integerListVar(what: string, range: { readonly min: number; readonly max: number }) {
  return z
    .string()
    .trim()
    .min(1, `expected a comma-separated list of ${what}`)
    .transform((v) => v.split(',').map((part) => part.trim()))
    .refine((parts) => parts.every((p) => /^\d+$/.test(p)), {
      message: `expected a comma-separated list of ${what} (e.g. "101,102")`,
    })
    .superRefine((parts, ctx) => {
      for (const part of parts) {
        // Compared as BigInt: Number() would round 99999999999999999999 into range.
        if (/^\d+$/.test(part) && (BigInt(part) < BigInt(range.min) || BigInt(part) > BigInt(range.max))) {
          ctx.addIssue({
            code: 'custom',
            message: `${part} is out of range: ${what} must be between ${range.min} and ${range.max}`,
          });
        }
      }
    })
    .transform((parts) => [...new Set(parts.map(Number))]);
}

/** One value of a list variable (a CLI flag such as --segment), checked like the variable. */
export function parseListValue(value: string, what: 'segment IDs' | 'status codes'): number[] {
  const schema = integerListVar(what, what === 'segment IDs' ? SEGMENT_ID_RANGE : STATUS_RANGE);
  const result = schema.safeParse(value);
  if (!result.success) throw new RangeError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

const DURATION_UNITS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** "90s", "30m", "6h", "1d" (or plain seconds) as seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS[(match[2] || 's') as keyof typeof DURATION_UNITS];
}

const durationVar = z
  .string()
  .trim()
  .refine((v) => parseDuration(v) !== undefined, { message: 'expected a duration such as 0, 90s, 30m, 6h or 1d' })
  .transform((v) => parseDuration(v)!);

/** "1=6h,2=1d": per status, the least time between two reads of its lists. */
const statusIntervalsVar = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const intervals: Record<number, number> = {};
    for (const part of v
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const [status, duration] = part.split('=').map((p) => p.trim());
      const seconds = duration === undefined ? undefined : parseDuration(duration);
      if (!status || !/^\d+$/.test(status) || seconds === undefined || Number(status) > STATUS_RANGE.max) {
        ctx.addIssue({ code: 'custom', message: `expected status=duration pairs such as "1=6h,2=1d", got "${part}"` });
        return z.NEVER;
      }
      intervals[Number(status)] = seconds;
    }
    return intervals;
  });

const booleanVar = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Plain http sends the api-key in clear text: allowed only to this machine (a local
 * proxy, the simulator), never across a network.
 */
function isSafeTransport(value: string): boolean {
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isPostgresUrl(value: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export const envDescriptions = {
  QUESTIONPRO_API_KEY: 'API key (QuestionPro: Integration > Developer API); sent as the api-key header, never logged',
  QUESTIONPRO_ENV: `datacenter of the account: ${DATACENTERS.join(', ')} -> https://api.questionpro.<env>/a/api/v2`,
  QUESTIONPRO_BASE_URL: 'full API base URL, overrides QUESTIONPRO_ENV (e.g. http://127.0.0.1:4010/a/api/v2)',
  SYNC_SEGMENTS: 'segment IDs to sync, comma-separated integers (1 to 2^53-1)',
  SYNC_STATUSES: 'ticket statuses to sync for every segment, comma-separated integers (0 to 2147483647)',
  SYNC_PAGE_SIZE: 'tickets per API page (perPage), 1-1000',
  SYNC_CRON: 'schedule of the long-running worker (node-cron syntax, seconds field optional)',
  SYNC_TIMEZONE: 'IANA time zone the schedule is read in',
  SYNC_RUN_ON_START: 'run one sync as soon as the worker starts (true/false)',
  SYNC_MAX_PASSES: 'passes over a list that keeps changing while read before it is recorded unsettled (partial)',
  SYNC_CONFIRM_PASS:
    'when a full read did not see every stored ticket, read the list again and close tickets only when both reads agree (true/false)',
  SYNC_VERIFY_INTERVAL:
    'how often each list gets a full read that verifies it (probes see the rest); stretched to fit API_CALL_BUDGET. e.g. 6h, 1d, 0 = every run',
  SYNC_OPEN_STATUSES:
    'statuses whose tickets need action: open in the views, read first when the API call budget is short; comma-separated',
  SYNC_STATUS_INTERVALS: 'least time between reads of the lists of a status, e.g. "1=6h,2=1d"; statuses not named: every run',
  SYNC_SEGMENT_NAMES:
    'segment names for the views and dashboards, e.g. "101=Retail EU;103=Online Shop" (";" between pairs); unnamed: "Segment 101"',
  SYNC_STATUS_LABELS:
    'status labels for the views, e.g. "0=open;1=closed"; default: 0 open (the one the API documents), others "status N"',
  REPORT_TIMEZONE: 'IANA time zone whose calendar days v_detractor_tickets_daily counts in; default: SYNC_TIMEZONE',
  RETENTION_DAYS:
    'days of run records (sync_runs, sync_run_segments) and API call ledger minutes kept; older ones are pruned after each run, a bounded part at a time (the ledger of the budget period is always kept); 0 keeps everything',
  API_CALL_BUDGET: 'API calls this service may spend per budget period (all its processes together); unset: no budget',
  API_BUDGET_PERIOD: 'budget period: day or month, boundaries at midnight in SYNC_TIMEZONE',
  API_BUDGET_PERIOD_START_DAY: 'day of the month a monthly budget period starts (billing day), 1-28',
  API_RATE_LIMIT_PER_MIN: 'most API calls in any rate window (API_RATE_WINDOW_SECONDS; QuestionPro allows 300 per key in 60 s)',
  API_RATE_WINDOW_SECONDS:
    'the window the API counts its rate limit in, in seconds (QuestionPro: 60); calls are spaced over a second more, for network jitter',
  SYNC_CONCURRENCY: 'API requests in flight at once, shared by the pages and lists of a run',
  HTTP_TIMEOUT_MS: 'deadline of one API request in milliseconds, body included (a retry gets a new one)',
  HTTP_MAX_RESPONSE_BYTES: 'largest API response body accepted, in bytes; a larger one is refused as it streams in',
  RETRY_ATTEMPTS: 'retries of one API request after a transient failure (0 = no retry)',
  RETRY_MIN_DELAY_MS: 'first backoff delay in milliseconds; doubles each retry, with jitter',
  RETRY_MAX_DELAY_MS: 'longest backoff delay in milliseconds (also caps Retry-After waits)',
  DATABASE_URL: 'PostgreSQL connection URL; unset: an embedded PostgreSQL with its data in .data/',
  DATABASE_SCHEMA:
    'PostgreSQL schema the tables and views live in (created by the migrations when missing); not information_schema or a pg_ name',
  MIGRATIONS_ALLOW_MISMATCH:
    'start even when the database has migrations this build does not know or an applied one was edited (true/false)',
  MIGRATIONS_LOCK_TIMEOUT_MS:
    'how long a migration statement may wait for a table lock, in ms (readers of that table queue behind it meanwhile); then it rolls back and is retried later',
  MIGRATIONS_STATEMENT_TIMEOUT:
    'longest a single migration statement may run, e.g. 5m, 1h (0: no limit); past it the migration rolls back',
  MIGRATIONS_WAIT_MAX:
    'how long to keep retrying a migration other sessions (a backup, a dashboard left in a transaction) hold locks against, e.g. 10m, 1h; then it stops with exit code 2 naming them',
  EMBEDDED_POSTGRES_PORT:
    'port of the embedded PostgreSQL (DATABASE_URL unset), on 127.0.0.1; taken: a free one; 0: always a free one',
  HTTP_PORT: 'port of the worker status page and endpoint (/, /healthz, /readyz, /metrics); 0 turns it off',
  HTTP_HOST: 'IP address the status endpoint listens on, or localhost (0.0.0.0: all interfaces, 127.0.0.1: this host only)',
  SYNC_STALE_AFTER_SECONDS: 'a list whose last successful sync is older is stale (/readyz); default 3 schedule intervals',
  METRICS_PUSHGATEWAY_URL:
    'Prometheus Pushgateway the one-shot sync pushes its metrics to (e.g. a Kubernetes CronJob); unset: none',
  NOTIFY_WEBHOOK_URL:
    'incoming webhook (Slack, Mattermost or any receiver of JSON) told when lists start failing, recover, go stale, or the API allowance or budget runs short; https only (http to 127.0.0.1/localhost); a secret, never logged; unset: none',
  NOTIFY_TIMEOUT_MS:
    'deadline of one post to NOTIFY_WEBHOOK_URL in milliseconds (a retry gets a new one); a post that times out may still have arrived',
  WORKER_STATE_FILE:
    'where the worker records its pid, status endpoint and heartbeat for `healthcheck`; default: in the system temp folder',
  SHUTDOWN_TIMEOUT_MS:
    'after SIGTERM/SIGINT, how long the stop may wait for the run to wind down before it turns forceful (keep it below the kill timeout)',
  READONLY_ROLE_PASSWORD:
    'password of the read-only role `readonly-role` creates or refreshes, 12+ characters (compose also gives it to Grafana)',
  LOG_LEVEL: 'pino log level: fatal, error, warn, info, debug, trace or silent',
} as const;

export type EnvName = keyof typeof envDescriptions;

export const envSchema = z.object({
  QUESTIONPRO_API_KEY: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  QUESTIONPRO_ENV: z.enum(DATACENTERS, { error: `expected one of ${DATACENTERS.join(', ')}` }).default('com'),
  QUESTIONPRO_BASE_URL: optionalText
    .refine((v) => v === undefined || isHttpUrl(v), {
      message: 'expected an http(s) URL such as https://api.questionpro.com/a/api/v2',
    })
    .refine((v) => v === undefined || !isHttpUrl(v) || isSafeTransport(v), {
      message: 'plain http:// would send the api-key in clear text: use https:// (http is accepted for 127.0.0.1/localhost only)',
    }),
  SYNC_SEGMENTS: integerListVar('segment IDs', SEGMENT_ID_RANGE),
  SYNC_STATUSES: integerListVar('status codes', STATUS_RANGE).default([0]),
  SYNC_PAGE_SIZE: integerVar(1, 1000).default(100),
  SYNC_CRON: z
    .string()
    .trim()
    .refine((v) => isValidCron(v), { message: 'expected a cron expression such as "*/15 * * * *"' })
    .default('*/15 * * * *'),
  SYNC_TIMEZONE: z
    .string()
    .trim()
    .refine(isValidTimezone, { message: 'expected an IANA time zone such as UTC or Europe/Berlin' })
    .default('UTC'),
  SYNC_RUN_ON_START: booleanVar.default(true),
  SYNC_MAX_PASSES: integerVar(1, 10).default(3),
  SYNC_CONFIRM_PASS: booleanVar.default(true),
  SYNC_VERIFY_INTERVAL: durationVar.default(86_400),
  SYNC_OPEN_STATUSES: integerListVar('status codes', STATUS_RANGE).default([0]),
  SYNC_STATUS_INTERVALS: statusIntervalsVar.default({}),
  SYNC_SEGMENT_NAMES: labelMapVar('101=Retail EU;103=Online Shop', SEGMENT_ID_RANGE).default(new Map()),
  SYNC_STATUS_LABELS: labelMapVar('0=open;1=closed', STATUS_RANGE).default(new Map()),
  REPORT_TIMEZONE: optionalText.refine((v) => v === undefined || isValidTimezone(v), {
    message: 'expected an IANA time zone such as UTC or Europe/Berlin',
  }),
  RETENTION_DAYS: integerVar(0, 36_500).default(90),
  API_CALL_BUDGET: integerVar(1, 1_000_000_000).optional(),
  API_BUDGET_PERIOD: z.enum(['day', 'month'], { error: 'expected day or month' }).default('month'),
  API_BUDGET_PERIOD_START_DAY: integerVar(1, 28).default(1),
  API_RATE_LIMIT_PER_MIN: integerVar(1, 100_000).default(250),
  API_RATE_WINDOW_SECONDS: integerVar(1, 3_600).default(60),
  SYNC_CONCURRENCY: integerVar(1, 32).default(4),
  HTTP_TIMEOUT_MS: integerVar(100, 600_000).default(30_000),
  HTTP_MAX_RESPONSE_BYTES: integerVar(1_024, 1_073_741_824).default(64 * 1_048_576),
  RETRY_ATTEMPTS: integerVar(0, 20).default(5),
  RETRY_MIN_DELAY_MS: integerVar(0, 600_000).default(1_000),
  RETRY_MAX_DELAY_MS: integerVar(0, 3_600_000).default(60_000),
  DATABASE_URL: optionalText.refine((v) => v === undefined || isPostgresUrl(v), {
    message: 'expected a postgres:// or postgresql:// URL',
  }),
  DATABASE_SCHEMA: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case PostgreSQL schema name (letters, digits, _), e.g. detractors')
    // PostgreSQL's own schemas: CREATE SCHEMA refuses pg_ names and the existing ones hold the
    // catalogs, so the migrations would fail late or mix the tables into them. Said at start-up instead.
    .refine((v) => v !== 'information_schema' && !v.startsWith('pg_'), {
      message:
        'is reserved by PostgreSQL (pg_catalog, information_schema, pg_toast, pg_temp, every name starting with pg_): choose a schema of its own, e.g. detractors',
    })
    .default('public'),
  MIGRATIONS_ALLOW_MISMATCH: booleanVar.default(false),
  MIGRATIONS_LOCK_TIMEOUT_MS: integerVar(10, 600_000).default(2_000),
  MIGRATIONS_STATEMENT_TIMEOUT: durationVar.default(300),
  MIGRATIONS_WAIT_MAX: durationVar.default(600),
  EMBEDDED_POSTGRES_PORT: integerVar(0, 65_535).default(54_329),
  HTTP_PORT: integerVar(0, 65_535).default(8080),
  // An address, not a host name: a name that does not resolve (or resolves elsewhere) would
  // only fail when the worker starts listening, long after start-up said the configuration was fine.
  HTTP_HOST: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0 || v === 'localhost', {
      message: 'expected an IP address to listen on, such as 0.0.0.0, 127.0.0.1 or :: (or localhost)',
    })
    .default('0.0.0.0'),
  SYNC_STALE_AFTER_SECONDS: integerVar(1, 31_536_000).optional(),
  METRICS_PUSHGATEWAY_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), {
    message: 'expected an http(s) URL such as http://pushgateway:9091',
  }),
  // The URL's path is the webhook's token (Slack, Mattermost): over plain http anyone on the way could post.
  NOTIFY_WEBHOOK_URL: optionalText
    .refine((v) => v === undefined || isHttpUrl(v), {
      message: 'expected an https URL such as https://hooks.slack.com/services/...',
    })
    .refine((v) => v === undefined || !isHttpUrl(v) || isSafeTransport(v), {
      message:
        "plain http:// would send the webhook's token in clear text: use https:// (http is accepted for 127.0.0.1/localhost only)",
    }),
  NOTIFY_TIMEOUT_MS: integerVar(100, 600_000).default(10_000),
  WORKER_STATE_FILE: optionalText,
  SHUTDOWN_TIMEOUT_MS: integerVar(100, 3_600_000).default(25_000),
  // Not trimmed: spaces may be part of a password.
  READONLY_ROLE_PASSWORD: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.length >= 12, { message: 'expected at least 12 characters' }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
