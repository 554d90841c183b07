/**
 * Every code an error can carry: in logs, metrics, `error_code` columns and exit
 * paths. One list, so a new failure is named once and everywhere alike.
 */
export const ERROR_CODES = [
  // The API answered, and said no.
  'API_BAD_REQUEST', // 400
  'API_UNAUTHORIZED', // 401: a wrong key; ends the run
  'API_FORBIDDEN', // 403: the key may not read the list
  'API_NOT_FOUND', // 404: e.g. an unknown segment
  'API_RATE_LIMITED', // 429 per-minute limit: retried
  'API_QUOTA_EXHAUSTED', // 429 call allowance used up: ends the run
  'API_BUDGET_EXHAUSTED', // our own API_CALL_BUDGET spent for the period: ends the run
  // The API did not answer usably.
  'API_TIMEOUT', // past HTTP_TIMEOUT_MS, body included: retried
  'API_NETWORK', // connection refused, reset (also mid-body): retried
  'API_REQUEST_FAILED', // our own request could not be made
  'API_INVALID_RESPONSE', // not the documented shape
  'API_UNPARSEABLE_BODY', // a 200 that is not JSON: retried
  'API_RESPONSE_TOO_LARGE', // beyond HTTP_MAX_RESPONSE_BYTES
  // Paging that cannot be trusted.
  'API_PAGING_MISMATCH', // currentPage is not the page asked
  'API_PAGING_RUNAWAY', // more pages than totalItems justifies
  'API_PAGES_REPEATING', // a page repeats another
  // Lists not synced by this run, or not completely.
  'LIST_UNSETTLED',
  'LIST_LOCKED',
  'LIST_SYNCED_ELSEWHERE',
  'BUDGET_DEFERRED', // the API call budget could not fit the list in this run
  // The database and the run's own bookkeeping.
  'DB_UNAVAILABLE',
  'DB_WRITE_FAILED',
  'LOCK_LOST',
  'RUN_RECORD_FAILED',
  'RUN_STORE_CLOSED',
  'RUN_ABANDONED',
  'MIGRATION_FAILED',
  'MIGRATION_FAILED_EARLIER',
  'MIGRATION_AHEAD', // the database has migrations this build does not know: a newer build migrated it
  'MIGRATION_EDITED', // an applied migration's file differs from what the database recorded
  'MIGRATION_BEHIND', // the database lacks migrations of this build, and the command (status) only reads
  'EMBEDDED_DB_IN_USE', // DATABASE_URL unset and the embedded server's folder is taken
  // Everything else.
  'CONFIG_INVALID',
  'ABORTED',
  'INTERNAL',
] as const;

/** A code of the list above, or `API_HTTP_<status>` for an HTTP status without a name of its own. */
export type ErrorCode = (typeof ERROR_CODES)[number] | `API_HTTP_${number | 'UNKNOWN'}`;

/**
 * One error family for the whole service. Each error carries a stable `code` (what
 * went wrong, for logs, metrics and `sync_run_segments.error_code`) and whether it is
 * fatal to the whole run rather than to one segment.
 */
export class SyncError extends Error {
  readonly code: ErrorCode;
  readonly fatal: boolean;
  /** The API's requestID of the response involved, for support and `error_request_id`. */
  readonly requestId: string | undefined;
  /** API calls the failed operation sent before it failed (set by the API client): they are spent. */
  callsSpent = 0;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; fatal?: boolean; requestId?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fatal = options.fatal ?? false;
    this.requestId = options.requestId;
  }
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export class ConfigError extends SyncError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super('CONFIG_INVALID', 'invalid configuration: ' + problems.map((p) => `${p.variable} ${p.message}`).join('; '), {
      fatal: true,
    });
    this.problems = problems;
  }
}

/**
 * Errors an operator must resolve before the next run: the configuration, a key the API
 * refuses (401, or 403 for a list), a database this build must not migrate or that
 * `status` finds unmigrated. Retrying cannot help.
 */
const OPERATOR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONFIG_INVALID',
  'API_UNAUTHORIZED',
  'API_FORBIDDEN',
  'MIGRATION_AHEAD',
  'MIGRATION_EDITED',
  'MIGRATION_BEHIND',
]);

/** The process exit code for an error that ends a command: 2 for an operator's error, 1 for any other failure. */
export function exitCodeFor(error: unknown): number {
  return error instanceof SyncError && OPERATOR_CODES.has(error.code) ? 2 : 1;
}

/** The run was asked to stop before it finished: a shutdown, or a fatal error in another list. */
export class AbortedError extends SyncError {
  constructor(message = 'sync aborted by shutdown') {
    super('ABORTED', message, { fatal: true });
  }

  /** Says why the signal fired: a run stopped by another list's 401 must not read "shutdown". */
  static from(signal: AbortSignal | undefined): AbortedError {
    const reason: unknown = signal?.reason;
    if (reason instanceof SyncError && !(reason instanceof AbortedError)) {
      return new AbortedError(`stopped because another list failed: ${reason.code}`);
    }
    return new AbortedError();
  }
}

/**
 * A readable message, never empty: some driver errors (a refused connection through
 * Prisma's adapter) have an empty message and keep the reason in a code or a cause.
 */
export function errorMessage(err: unknown): string {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (typeof e === 'string') return e;
    if (typeof e === 'number' || typeof e === 'boolean' || typeof e === 'bigint') return String(e);
    if (typeof e !== 'object') return typeof e;
    const { message, code } = e as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message.trim() !== '') return message;
    if (typeof code === 'string' && code !== '') return `${e instanceof Error ? e.name : 'error'} ${code}`;
  }
  return err instanceof Error ? err.name : String(err);
}

/** The message on one line (Prisma's start with a blank line and span several), for reasons and log fields. */
export function oneLineMessage(err: unknown, maxLength = 300): string {
  const lines = errorMessage(err)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.join(' ').slice(0, maxLength);
}
