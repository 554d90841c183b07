/**
 * One error family for the whole service. Each error carries a stable `code` (what
 * went wrong, for logs, metrics and `sync_run_segments.error_code`) and whether it is
 * fatal to the whole run rather than to one segment.
 */
export class SyncError extends Error {
  readonly code: string;
  readonly fatal: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; fatal?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fatal = options.fatal ?? false;
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

/** The run was asked to stop (SIGTERM/SIGINT) before it finished. */
export class AbortedError extends SyncError {
  constructor(message = 'sync aborted by shutdown') {
    super('ABORTED', message, { fatal: true });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
