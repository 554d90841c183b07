import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { PageSource } from '../questionpro/pages.js';
import type { ActiveRuns } from '../runs/active-runs.js';
import type { CompletenessPolicy } from './list-sync.js';
import type { RunObserver } from './run-observer.js';

/** What a sync run works with, handed in by the composition root (app/runtime.ts) or a test. */
export interface RunDeps {
  readonly db: Db;
  /** For the run's bookkeeping connection (advisory locks need one session). */
  readonly databaseUrl: string;
  readonly source: PageSource;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly lastSeenResolutionMs?: number;
  readonly policy?: Partial<CompletenessPolicy>;
  /**
   * API requests in flight at once for the whole run, and lists read at once. Pages of
   * a list and lists of a run share it (and the client's rate limiter).
   */
  readonly concurrency?: number;
  readonly observer?: RunObserver;
  /** Each page's log line: info by default; debug where a progress display shows the pages instead. */
  readonly pageLogLevel?: 'info' | 'debug';
  /** Secrets removed by value from stored errors and records. */
  readonly redactor?: SecretRedactor;
  /** Where the run says it is in progress, for a forced stop to record it aborted. */
  readonly activeRuns?: ActiveRuns;
}
