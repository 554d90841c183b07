import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { createDbRetry, type DbRetry } from '../db/db-retry.js';
import type { Db } from '../db/prisma.js';
import { RunLocks } from '../db/run-locks.js';
import { AbortedError, SyncError, errorMessage } from '../errors.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiError } from '../questionpro/api-error.js';
import type { ListRef, PageSource } from '../questionpro/pages.js';
import type { QuarantineNote } from './list-pass.js';
import { syncList, type CompletenessPolicy } from './list-sync.js';
import type { RunObserver } from './run-observer.js';
import {
  emptyCounts,
  finishList,
  finishRun,
  recordSkippedList,
  runIdentity,
  startList,
  syncedElsewhereSince,
  type ListCounts,
  type ListOutcome,
  type RunStatus,
  type RunTotals,
  type RunTrigger,
} from './run-records.js';

export interface RunDeps {
  readonly db: Db;
  /** For the run's lock connection (advisory locks need one session). */
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
  /** Secrets removed by value from stored errors and records. */
  readonly redactor?: SecretRedactor;
}

export interface RunRequest {
  readonly trigger: RunTrigger;
  readonly lists: readonly ListRef[];
}

export interface ListReport {
  readonly segmentId: number;
  readonly status: number;
  readonly outcome: ListOutcome;
  readonly counts: ListCounts;
  readonly error?: string;
  /** For skipped lists: why (LIST_LOCKED, LIST_SYNCED_ELSEWHERE, or the error that ended the run). */
  readonly code?: string;
  /** The first quarantined records of the list: page, ticketID, requestID and reason. */
  readonly quarantined?: readonly QuarantineNote[];
}

export interface RunReport {
  readonly runId: bigint;
  readonly status: RunStatus;
  readonly lists: readonly ListReport[];
  readonly durationMs: number;
  readonly error?: string;
}

export const DEFAULT_LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;
export const DEFAULT_POLICY: CompletenessPolicy = { maxPasses: 3, confirmPass: true };
export const DEFAULT_CONCURRENCY = 4;

/** Skips that mean "another worker has it covered": not failures. */
const COVERED_ELSEWHERE = new Set(['LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE']);

/** Every configured segment × status, in configuration order. */
export function listsFor(segments: readonly number[], statuses: readonly number[], perPage: number): ListRef[] {
  return segments.flatMap((segmentId) => statuses.map((status) => ({ segmentId, status, perPage })));
}

/**
 * One sync run: each list in turn, each recorded in `sync_run_segments`. A list that
 * fails is recorded and the run goes on with the next (what others stored stays);
 * errors that no other list can escape (a rejected API key, the call allowance used
 * up, shutdown, the database gone) end the run at once, and the lists not reached are
 * recorded as skipped. Replicas coordinate through advisory locks: a list another
 * worker is syncing, or has synced since this run began, is skipped.
 */
export async function runSync(deps: RunDeps, request: RunRequest): Promise<RunReport> {
  const started = performance.now();
  const locks = await RunLocks.open(deps.databaseUrl, deps.log);
  try {
    await locks.reapAbandonedRuns();
    const { runId, startedAt } = await locks.createLockedRun(request.trigger, runIdentity());
    const runLog = deps.log.child({ runId: runId.toString(), trigger: request.trigger });
    runLog.info({ lists: request.lists.length }, 'run started');
    deps.observer?.onRunStart?.({ runId });
    // Run records must be written even while shutting down: no abort signal here.
    const record = createDbRetry(runLog, { retries: 4 });
    // A fatal error in one list (wrong key, quota, database gone) stops the others too.
    const runAbort = new AbortController();
    const signal = deps.signal ? AbortSignal.any([deps.signal, runAbort.signal]) : runAbort.signal;
    const concurrency = Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY);
    const slots = pLimit(concurrency);
    // The first request of a run goes alone: if the key is wrong, that is one 401, not a burst.
    let proven: () => void = () => undefined;
    const apiProven = new Promise<void>((resolve) => (proven = resolve));
    const source: PageSource = {
      fetchPage: (request, pageSignal) =>
        slots(() => deps.source.fetchPage(request, pageSignal)).then((page) => {
          proven();
          return page;
        }),
    };
    const ctx: RunContext = { deps: { ...deps, source, signal }, runId, startedAt, runLog, locks, record };

    const reports: ListReport[] = [];
    let fatal: SyncError | undefined;
    const processList = async (list: ListRef): Promise<ListReport> => {
      const skip = fatal ?? (await coveredElsewhere(ctx, list));
      if (skip) {
        await record('record skipped list', () => recordSkippedList(deps.db, runId, list.segmentId, list.status, skip));
        if (!fatal) runLog.child({ segmentId: list.segmentId, status: list.status }).info({ code: skip.code, reason: skip.message }, 'list skipped');
        return { segmentId: list.segmentId, status: list.status, outcome: 'skipped', counts: emptyCounts(), error: skip.message, code: skip.code };
      }
      try {
        // A fatal error stops the other lists first, then is recorded: a sibling must not
        // finish normally while this list's bookkeeping is written.
        const endRun = (error: SyncError) => {
          if (fatal) return;
          fatal = error;
          runAbort.abort(error);
        };
        const result = await runList(ctx, list, () => fatal, endRun);
        if (result.fatal) endRun(result.fatal); // a shutdown (AbortedError) ends the run too
        return result.report;
      } finally {
        await locks.unlockList(list.segmentId, list.status).catch(() => undefined);
      }
    };
    const lists = pLimit(concurrency);
    await Promise.all(
      request.lists.map((list, index) =>
        lists(async () => {
          try {
            if (index > 0) await apiProven;
            const report = await processList(list);
            reports[index] = report;
            deps.observer?.onListEnd?.({ ...report, finishedAt: new Date() });
          } finally {
            if (index === 0) proven(); // list 1 is over: the others may go, fatal or not
          }
        }),
      ),
    );

    const status = runStatus(reports, fatal);
    const totals = sumCounts(reports);
    await record('finish run', () => finishRun(deps.db, runId, status, totals, fatal, deps.redactor));
    await locks.unlockRun(runId).catch(() => undefined);
    const durationMs = Math.round(performance.now() - started);
    deps.observer?.onRunEnd?.({ runId, status, durationMs });
    const logLine = { status, durationMs, ...totals, ...(fatal ? { errorCode: fatal.code, errMessage: fatal.message } : {}) };
    if (status === 'succeeded') runLog.info(logLine, 'run finished');
    else runLog.error(logLine, 'run finished');
    return { runId, status, lists: reports, durationMs, ...(fatal ? { error: fatal.message } : {}) };
  } finally {
    await locks.close();
  }
}

interface RunContext {
  readonly deps: RunDeps;
  readonly runId: bigint;
  readonly startedAt: Date;
  readonly runLog: Logger;
  readonly locks: RunLocks;
  readonly record: DbRetry;
}

/** Takes the list's lock, or says why another worker has it covered. */
async function coveredElsewhere(ctx: RunContext, list: ListRef): Promise<SyncError | undefined> {
  const other = await ctx.record('check list', () => syncedElsewhereSince(ctx.deps.db, ctx.runId, list.segmentId, list.status, ctx.startedAt));
  if (other !== undefined) return new SyncError('LIST_SYNCED_ELSEWHERE', `run ${other} synced this list after this run started`);
  if (!(await ctx.locks.tryLockList(list.segmentId, list.status))) {
    return new SyncError('LIST_LOCKED', 'another worker is syncing this list');
  }
  return undefined;
}

async function runList(
  ctx: RunContext,
  list: ListRef,
  runEndedBy: () => SyncError | undefined,
  endRun: (error: SyncError) => void,
): Promise<{ report: ListReport; fatal?: SyncError }> {
  const { deps, runId, record } = ctx;
  const log = ctx.runLog.child({ segmentId: list.segmentId, status: list.status });
  const listRunId = await record('start list', () => startList(deps.db, runId, list.segmentId, list.status));
  const counts = emptyCounts();
  const started = performance.now();
  try {
    const result = await syncList(
      {
        db: deps.db,
        source: deps.source,
        log,
        runId,
        signal: deps.signal,
        lastSeenResolutionMs: deps.lastSeenResolutionMs ?? DEFAULT_LAST_SEEN_RESOLUTION_MS,
        dbRetry: createDbRetry(log, { signal: deps.signal }),
        policy: { ...DEFAULT_POLICY, ...deps.policy },
        pageConcurrency: Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY),
        redactor: deps.redactor ?? SecretRedactor.none,
      },
      list,
      counts,
    );
    const outcome: ListOutcome = result.settled ? 'succeeded' : 'partial';
    await record('finish list', () => finishList(deps.db, listRunId, outcome, counts, { settled: result.settled, drift: result.drift }));
    const summary = { outcome, settled: result.settled, durationMs: Math.round(performance.now() - started), ...counts, quarantined: result.quarantined };
    if (result.settled) log.info(summary, 'list finished');
    else log.warn({ ...summary, drift: result.drift }, 'list finished');
    return {
      report: {
        segmentId: list.segmentId,
        status: list.status,
        outcome,
        counts,
        quarantined: result.quarantined,
        ...(result.settled ? {} : { error: `did not settle: ${result.drift.join('; ')}`, code: 'LIST_UNSETTLED' }),
      },
    };
  } catch (caught) {
    const endedBy = runEndedBy();
    const error =
      caught instanceof SyncError && caught.fatal && !(caught instanceof AbortedError) && caught !== endedBy
        ? caught
        : endedBy && !(endedBy instanceof AbortedError)
          ? new SyncError(endedBy.code, `run ended by another list: ${endedBy.message}`)
          : deps.signal?.aborted
            ? AbortedError.from(deps.signal)
            : caught;
    const outcome: ListOutcome = error instanceof AbortedError || (endedBy !== undefined && error !== caught) ? 'aborted' : 'failed';
    if (error instanceof SyncError && error.fatal && !(error instanceof AbortedError)) endRun(error);
    await record('finish list', () => finishList(deps.db, listRunId, outcome, counts, { error, redactor: deps.redactor }));
    const apiFields = error instanceof ApiError ? error.toLog() : { code: error instanceof SyncError ? error.code : 'INTERNAL' };
    log.error({ outcome, durationMs: Math.round(performance.now() - started), ...counts, ...apiFields, err: error }, 'list finished');
    const code = error instanceof SyncError ? error.code : 'INTERNAL';
    const report: ListReport = { segmentId: list.segmentId, status: list.status, outcome, counts, error: errorMessage(error), code };
    const fatal = error instanceof SyncError && error.fatal ? error : undefined;
    return fatal ? { report, fatal } : { report };
  }
}

function isOk(report: ListReport): boolean {
  return report.outcome === 'succeeded' || (report.outcome === 'skipped' && COVERED_ELSEWHERE.has(report.code ?? ''));
}

function runStatus(reports: readonly ListReport[], fatal: SyncError | undefined): RunStatus {
  if (fatal instanceof AbortedError) return 'aborted';
  const ok = reports.filter(isOk).length;
  if (ok === reports.length) return 'succeeded';
  const anyProgress = reports.some((r) => isOk(r) || r.outcome === 'partial');
  return anyProgress ? 'partial' : 'failed';
}

function sumCounts(reports: readonly ListReport[]): RunTotals {
  const total: RunTotals = { listsTotal: reports.length, listsFailed: 0, pages: 0, ticketsSeen: 0, ticketsInserted: 0, ticketsUpdated: 0, ticketsUnchanged: 0, ticketsRejected: 0 };
  for (const report of reports) {
    const { counts } = report;
    if (!isOk(report)) total.listsFailed += 1;
    total.pages += counts.pages;
    total.ticketsSeen += counts.ticketsSeen;
    total.ticketsInserted += counts.ticketsInserted;
    total.ticketsUpdated += counts.ticketsUpdated;
    total.ticketsUnchanged += counts.ticketsUnchanged;
    total.ticketsRejected += counts.ticketsRejected;
  }
  return total;
}
