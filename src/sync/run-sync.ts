import pLimit from 'p-limit';
import type { DeferredList, PlannedList } from '../budget/planner.js';
import { RunAllowance } from '../budget/run-allowance.js';
import { SyncError, errorMessage } from '../errors.js';
import type { ListRef } from '../lists/list.js';
import type { RunStatus, RunTrigger } from '../lists/outcomes.js';
import { listReport, type ListReport } from '../lists/report.js';
import type { PageSource } from '../questionpro/pages.js';
import { RunStore } from '../runs/run-store.js';
import { processList, recordDeferred, type ListContext } from './list-run.js';
import type { RunDeps } from './run-deps.js';
import { runStatus, runTotals } from './run-outcome.js';

export interface RunRequest {
  readonly trigger: RunTrigger;
  /** The lists to sync, each probed or read fully (the planner's choice); default: a full read. */
  readonly lists: ReadonlyArray<ListRef & Partial<Pick<PlannedList, 'mode' | 'reserved' | 'quarantinedSince'>>>;
  /** Lists the API call budget deferred: recorded as skipped (BUDGET_DEFERRED). */
  readonly deferred?: readonly DeferredList[];
  /** Calls any list may spend beyond its reservation; default: no limit. */
  readonly pool?: number;
}

export interface RunReport {
  readonly runId: bigint;
  readonly status: RunStatus;
  readonly lists: readonly ListReport[];
  readonly durationMs: number;
  readonly error?: string;
}

export type { RunDeps } from './run-deps.js';

export const DEFAULT_CONCURRENCY = 4;

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
    deps.activeRuns?.add(run.runId, deps.databaseUrl);
    try {
      return await executeRun(
        { deps, store, run, started, log: deps.log.child({ runId: run.runId.toString(), trigger: request.trigger }) },
        request,
      );
    } finally {
      deps.activeRuns?.delete(run.runId);
    }
  } finally {
    await store.close();
  }
}

async function executeRun(
  ctx: Pick<ListContext, 'deps' | 'store' | 'run' | 'log'> & { readonly started: number },
  request: RunRequest,
): Promise<RunReport> {
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
    fetchPage: (pageRequest, pageSignal, pageLog) =>
      slots(() => deps.source.fetchPage(pageRequest, pageSignal, pageLog)).then((page) => {
        proven();
        return page;
      }),
  };
  const listCtx: ListContext = {
    ...ctx,
    source,
    signal,
    endRun,
    endedBy: () => fatal,
    concurrency,
    allowance:
      request.pool === undefined
        ? RunAllowance.unlimited()
        : new RunAllowance(
            lists.map((l) => ({
              ...l,
              mode: l.mode ?? 'full',
              reserved: l.reserved ?? 0,
              pagesPerPass: 1,
              quarantinedSince: null,
            })),
            request.pool,
          ),
  };
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
    ...settled.map((s, i) =>
      s.status === 'fulfilled'
        ? s.value
        : listReport(lists[i]!, 'failed', { problem: { code: 'INTERNAL', message: errorMessage(s.reason) } }),
    ),
    ...deferredReports,
  ];

  // Aborted when the shutdown cut a list short; one that came after the last list changes nothing.
  const status = runStatus(reports, deps.signal?.aborted === true && reports.some((r) => r.code === 'ABORTED'));
  const totals = runTotals(reports);
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
  // Every list deferred by the budget: nothing failed, but nothing is fresher either.
  else if (status === 'skipped') log.warn(summary, 'run finished');
  else log.error(summary, 'run finished');
  return { runId: run.runId, status, lists: reports, durationMs, ...(fatal ? { error: fatal.message } : {}) };
}
