/**
 * One error family for the whole service. Each error carries a stable `code` (what
 * went wrong, for logs, metrics and `sync_run_segments.error_code`) and whether it is
 * fatal to the whole run rather than to one segment.
 */
export class SyncError extends Error {
  readonly code: string;
  readonly fatal: boolean;
  /** The API's requestID of the response involved, for support and `error_request_id`. */
  readonly requestId: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; fatal?: boolean; requestId?: string } = {}) {
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
    super(
      'CONFIG_INVALID',
      'invalid configuration: ' + problems.map((p) => `${p.variable} ${p.message}`).join('; '),
      { fatal: true },
    );
    this.problems = problems;
  }
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
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return String(e);
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
