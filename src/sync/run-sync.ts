import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { createDbRetry } from '../db/db-retry.js';
import type { Db } from '../db/prisma.js';
import { SyncError, errorMessage } from '../errors.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiError } from '../questionpro/api-error.js';
import type { ListRef, PageSource } from '../questionpro/pages.js';
import type { DeferredList, ListMode } from '../budget/planner.js';
import { RunStore, type RunRef } from '../runs/run-store.js';
import { emptyCounts, type RunStatus, type RunTrigger } from '../runs/run-types.js';
import { syncList, type CompletenessPolicy, type VerificationAllowance } from './list-sync.js';
import type { RunObserver } from './run-observer.js';
import { classifyListFailure, endsTheRun, runStatus, sumCounts, type ListReport } from './run-outcome.js';

export type { ListReport } from './run-outcome.js';

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
  /** Secrets removed by value from stored errors and records. */
  readonly redactor?: SecretRedactor;
}

export interface RunRequest {
  readonly trigger: RunTrigger;
  /** The lists to sync, each read once or verified (the planner's choice); default: verify. */
  readonly lists: ReadonlyArray<ListRef & { readonly mode?: ListMode }>;
  /** Lists the API call budget deferred: recorded as skipped (BUDGET_DEFERRED). */
  readonly deferred?: readonly DeferredList[];
  /** Calls the run may spend on verified crawls its reads ask for; default: no limit. */
  readonly verifyAllowance?: number;
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

/** Every configured segment × status, in configuration order. */
export function listsFor(segments: readonly number[], statuses: readonly number[], perPage: number): ListRef[] {
  return segments.flatMap((segmentId) => statuses.map((status) => ({ segmentId, status, perPage })));
}

/**
 * One sync run. Its lists are read concurrently (up to `concurrency`), each recorded in
 * `sync_run_segments`. A list that fails is recorded and the others go on (what they
 * stored stays); an error no other list can escape (a rejected API key, the call
 * allowance used up, the database gone, its bookkeeping refused) stops every list
 * first and is recorded second; lists not reached are recorded as skipped. Every list
 * settles before the run's final row is written and its connection closed, so no lock
 * is released while a write is in flight. Replicas coordinate through advisory locks:
 * a list another worker is syncing, or has synced since this run began, is skipped.
 *
 * Throws only when the run could not even be recorded (the database is unreachable).
 */
export async function runSync(deps: RunDeps, request: RunRequest): Promise<RunReport> {
  const started = performance.now();
  const store = await RunStore.open(deps.databaseUrl, deps.log, deps.redactor);
  try {
    await store.reapAbandonedRuns();
    const run = await store.createRun(request.trigger);
    return await executeRun(
      { deps, store, run, started, log: deps.log.child({ runId: run.runId.toString(), trigger: request.trigger }) },
      request,
    );
  } finally {
    await store.close();
  }
}

interface RunContext {
  readonly deps: RunDeps;
  readonly store: RunStore;
  readonly run: RunRef;
  readonly started: number;
  readonly log: Logger;
}

async function executeRun(ctx: RunContext, request: RunRequest): Promise<RunReport> {
  const { deps, store, run, log } = ctx;
  const { lists, deferred = [] } = request;
  log.info({ lists: lists.length, deferred: deferred.length }, 'run started');
  deps.observer?.onRunStart?.({ runId: run.runId });
  const runAbort = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, runAbort.signal]) : runAbort.signal;
  let fatal: SyncError | undefined;
  /** Stops every list at once; the first fatal error is the run's. */
  const endRun = (error: SyncError) => {
    if (fatal) return;
    fatal = error;
    runAbort.abort(error);
  };
  const concurrency = Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY);
  const slots = pLimit(concurrency);
  // The first request of a run goes alone: if the key is wrong, that is one 401, not a burst.
  let proven: () => void = () => undefined;
  const apiProven = new Promise<void>((resolve) => (proven = resolve));
  const source: PageSource = {
    fetchPage: (request, pageSignal, pageLog) =>
      slots(() => deps.source.fetchPage(request, pageSignal, pageLog)).then((page) => {
        proven();
        return page;
      }),
  };
  let verifyCalls = request.verifyAllowance ?? Number.POSITIVE_INFINITY;
  const allowance: VerificationAllowance = {
    take: (calls) => {
      if (calls > verifyCalls) return false;
      verifyCalls -= calls;
      return true;
    },
  };
  const listCtx: ListContext = { ...ctx, source, signal, endRun, endedBy: () => fatal, concurrency, allowance };
  const deferredReports = await recordDeferred(listCtx, deferred);
  for (const report of deferredReports) deps.observer?.onListEnd?.({ ...report, finishedAt: new Date() });

  const listSlots = pLimit(concurrency);
  const settled = await Promise.allSettled(
    lists.map((list, index) =>
      listSlots(async () => {
        try {
          if (index > 0) await apiProven;
          const report = await processList(listCtx, list);
          deps.observer?.onListEnd?.({ ...report, finishedAt: new Date() });
          return report;
        } finally {
          if (index === 0) proven(); // list 1 is over: the others may go, fatal or not
        }
      }),
    ),
  );
  // processList never rejects; should it, the list still counts, as failed.
  const reports = [
    ...settled.map((s, i): ListReport =>
      s.status === 'fulfilled'
        ? s.value
        : {
            segmentId: lists[i]!.segmentId,
            status: lists[i]!.status,
            outcome: 'failed',
            counts: emptyCounts(),
            error: errorMessage(s.reason),
            code: 'INTERNAL',
          },
    ),
    ...deferredReports,
  ];

  // Aborted when the shutdown cut a list short; one that came after the last list changes nothing.
  const status = runStatus(reports, deps.signal?.aborted === true && reports.some((r) => r.code === 'ABORTED'));
  const totals = sumCounts(reports);
  try {
    await store.finishRun(run, status, totals, fatal);
  } catch (error) {
    log.error({ errMessage: errorMessage(error) }, 'run record could not be finished: the next run marks it abandoned');
  }
  const durationMs = Math.round(performance.now() - ctx.started);
  deps.observer?.onRunEnd?.({ runId: run.runId, status, durationMs });
  const summary = {
    runStatus: status,
    durationMs,
    ...totals,
    ...(fatal ? { errorCode: fatal.code, errMessage: fatal.message } : {}),
  };
  if (status === 'succeeded') log.info(summary, 'run finished');
  else log.error(summary, 'run finished');
  return { runId: run.runId, status, lists: reports, durationMs, ...(fatal ? { error: fatal.message } : {}) };
}

interface ListContext extends RunContext {
  readonly source: PageSource;
  readonly signal: AbortSignal;
  readonly concurrency: number;
  readonly allowance: VerificationAllowance;
  endRun(error: SyncError): void;
  endedBy(): SyncError | undefined;
}

/** The lists the budget deferred, recorded as skipped with the reason; a refused record ends the run. */
async function recordDeferred(ctx: ListContext, deferred: readonly DeferredList[]): Promise<ListReport[]> {
  const reports: ListReport[] = [];
  for (const list of deferred) {
    const reason = new SyncError('BUDGET_DEFERRED', `deferred by the API call budget: ${list.reason}`);
    try {
      await ctx.store.skipList(ctx.run, list, reason);
    } catch (error) {
      ctx.endRun(
        error instanceof SyncError
          ? error
          : new SyncError('RUN_RECORD_FAILED', errorMessage(error), { cause: error, fatal: true }),
      );
    }
    ctx.log.warn(
      { segmentId: list.segmentId, ticketStatus: list.status, code: reason.code, reason: reason.message },
      'list deferred',
    );
    reports.push({
      segmentId: list.segmentId,
      status: list.status,
      outcome: 'skipped',
      counts: emptyCounts(),
      error: reason.message,
      code: reason.code,
    });
  }
  return reports;
}

/** Claims, syncs and records one list; never rejects: a bookkeeping failure ends the run. */
async function processList(ctx: ListContext, list: ListRef & { readonly mode?: ListMode }): Promise<ListReport> {
  // `ticketStatus`, not `status`: log pipelines give a field one type, and runs' status is a word.
  const log = ctx.log.child({ segmentId: list.segmentId, ticketStatus: list.status });
  let claimed = false;
  try {
    const endedBy = ctx.endedBy();
    const claim = endedBy ? { claimed: false as const, reason: endedBy } : await ctx.store.claimList(ctx.run, list);
    if (!claim.claimed) {
      await ctx.store.skipList(ctx.run, list, claim.reason);
      if (!endedBy) log.info({ code: claim.reason.code, reason: claim.reason.message }, 'list skipped');
      return {
        segmentId: list.segmentId,
        status: list.status,
        outcome: 'skipped',
        counts: emptyCounts(),
        error: claim.reason.message,
        code: claim.reason.code,
      };
    }
    claimed = true;
    return await runList(ctx, list, log);
  } catch (error) {
    const failure =
      error instanceof SyncError ? error : new SyncError('RUN_RECORD_FAILED', errorMessage(error), { cause: error, fatal: true });
    ctx.endRun(failure);
    log.error({ code: failure.code, err: failure }, 'list could not be recorded: the run ends');
    return {
      segmentId: list.segmentId,
      status: list.status,
      outcome: 'failed',
      counts: emptyCounts(),
      error: failure.message,
      code: failure.code,
    };
  } finally {
    // Only now: runList returns after every write of the list has settled.
    if (claimed)
      await ctx.store
        .releaseList(list)
        .catch((error: unknown) => log.warn({ errMessage: errorMessage(error) }, 'list lock not released'));
  }
}

async function runList(ctx: ListContext, list: ListRef & { readonly mode?: ListMode }, log: Logger): Promise<ListReport> {
  const { deps, store } = ctx;
  const listRunId = await store.startList(ctx.run, list);
  const counts = emptyCounts();
  const started = performance.now();
  let raisedHere: SyncError | undefined;
  // Every attempt of every page request is a call spent, failed ones included.
  const source: PageSource = {
    fetchPage: (request, signal, pageLog) =>
      ctx.source.fetchPage(request, signal, pageLog).then(
        (page) => {
          counts.apiCalls += page.attempts;
          return page;
        },
        (error: unknown) => {
          counts.apiCalls += error instanceof ApiError ? error.attempts : 1;
          // Stop every list the moment an error no list can escape comes back (a wrong
          // key, the allowance spent), before this list winds down and records it.
          if (endsTheRun(error)) {
            raisedHere = error;
            ctx.endRun(error);
          }
          throw error;
        },
      ),
  };
  try {
    const result = await syncList(
      {
        db: deps.db,
        source,
        allowance: ctx.allowance,
        log,
        runId: ctx.run.runId,
        signal: ctx.signal,
        lastSeenResolutionMs: deps.lastSeenResolutionMs ?? DEFAULT_LAST_SEEN_RESOLUTION_MS,
        dbRetry: createDbRetry(log, { signal: ctx.signal }),
        policy: { ...DEFAULT_POLICY, ...deps.policy },
        pageConcurrency: ctx.concurrency,
        redactor: deps.redactor ?? SecretRedactor.none,
      },
      { ...list, mode: list.mode ?? 'verify' },
      counts,
    );
    const outcome = result.settled ? 'succeeded' : 'partial';
    await store.finishList(listRunId, outcome, counts, {
      settled: result.settled,
      verified: result.verified,
      drift: result.drift,
    });
    const summary = {
      outcome,
      settled: result.settled,
      verified: result.verified,
      durationMs: Math.round(performance.now() - started),
      ...counts,
      quarantined: result.quarantined,
    };
    if (result.settled) log.info(summary, 'list finished');
    else log.warn({ ...summary, drift: result.drift }, 'list finished');
    return {
      segmentId: list.segmentId,
      status: list.status,
      outcome,
      counts,
      quarantined: result.quarantined,
      verified: result.verified,
      ...(result.settled ? {} : { error: `did not settle: ${result.drift.join('; ')}`, code: 'LIST_UNSETTLED' }),
    };
  } catch (caught) {
    const { error, outcome } = classifyListFailure(caught, ctx.endedBy(), deps.signal, raisedHere);
    if (endsTheRun(error)) ctx.endRun(error); // stop the others first, record second
    await store.finishList(listRunId, outcome, counts, { error });
    const code = error instanceof SyncError ? error.code : 'INTERNAL';
    const apiFields = error instanceof ApiError ? error.toLog() : { code };
    log.error(
      { outcome, durationMs: Math.round(performance.now() - started), ...counts, ...apiFields, err: error },
      'list finished',
    );
    return { segmentId: list.segmentId, status: list.status, outcome, counts, error: errorMessage(error), code };
  }
}
