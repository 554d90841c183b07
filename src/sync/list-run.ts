import type { Logger } from 'pino';
import type { DeferredList, PlannedList } from '../budget/planner.js';
import type { RunAllowance } from '../budget/run-allowance.js';
import { createDbRetry } from '../db/db-retry.js';
import { SyncError, errorMessage } from '../errors.js';
import { emptyCounts, type ListCounts } from '../lists/counts.js';
import type { ListRef } from '../lists/list.js';
import { listReport, type ListReport } from '../lists/report.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { ApiError } from '../questionpro/api-error.js';
import type { PageSource } from '../questionpro/pages.js';
import type { RunRef, RunStore } from '../runs/run-store.js';
import { syncList, type CompletenessPolicy } from './list-sync.js';
import { classifyListFailure, endsTheRun } from './run-outcome.js';
import type { RunDeps } from './run-deps.js';

export const DEFAULT_LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;
export const DEFAULT_POLICY: CompletenessPolicy = { maxPasses: 3, confirmPass: true };

/** What a list of a run works with: the run's store and source, its stop signal and the way to end it. */
export interface ListContext {
  readonly deps: RunDeps;
  readonly store: RunStore;
  readonly run: RunRef;
  readonly log: Logger;
  readonly source: PageSource;
  readonly signal: AbortSignal;
  readonly concurrency: number;
  readonly allowance: RunAllowance;
  endRun(error: SyncError): void;
  endedBy(): SyncError | undefined;
}

/** A bookkeeping failure that is not a SyncError yet: it ends the run. */
function recordFailure(error: unknown): SyncError {
  return error instanceof SyncError
    ? error
    : new SyncError('RUN_RECORD_FAILED', errorMessage(error), { cause: error, fatal: true });
}

/** The lists the budget deferred, recorded as skipped with the reason; a refused record ends the run. */
export async function recordDeferred(ctx: ListContext, deferred: readonly DeferredList[]): Promise<ListReport[]> {
  const reports: ListReport[] = [];
  for (const list of deferred) {
    const reason = new SyncError('BUDGET_DEFERRED', `deferred by the API call budget: ${list.reason}`);
    try {
      await ctx.store.skipList(ctx.run, list, reason);
    } catch (error) {
      ctx.endRun(recordFailure(error));
    }
    ctx.log.warn(
      { segmentId: list.segmentId, ticketStatus: list.status, code: reason.code, reason: reason.message },
      'list deferred',
    );
    reports.push(listReport(list, 'skipped', { problem: reason }));
  }
  return reports;
}

/** Claims, syncs and records one list; never rejects: a bookkeeping failure ends the run. */
/** A list of a run: how the plan reads it (default: a full read). */
export type RunList = ListRef & Partial<Pick<PlannedList, 'mode' | 'quarantinedSince'>>;

export async function processList(ctx: ListContext, list: RunList): Promise<ListReport> {
  // `ticketStatus`, not `status`: log pipelines give a field one type, and runs' status is a word.
  const log = ctx.log.child({ segmentId: list.segmentId, ticketStatus: list.status });
  let claimed = false;
  // Owned here: when the list's bookkeeping fails, what it spent still counts in the run's totals.
  const counts = emptyCounts();
  try {
    const endedBy = ctx.endedBy();
    const claim = endedBy ? { claimed: false as const, reason: endedBy } : await ctx.store.claimList(ctx.run, list);
    if (!claim.claimed) {
      await ctx.store.skipList(ctx.run, list, claim.reason);
      if (!endedBy) log.info({ code: claim.reason.code, reason: claim.reason.message }, 'list skipped');
      return listReport(list, 'skipped', { problem: claim.reason });
    }
    claimed = true;
    return await runList(ctx, list, counts, log);
  } catch (error) {
    const failure = recordFailure(error);
    ctx.endRun(failure);
    log.error({ code: failure.code, err: failure }, 'list could not be recorded: the run ends');
    return listReport(list, 'failed', { counts, problem: failure });
  } finally {
    // Only now: runList returns after every write of the list has settled.
    if (claimed)
      await ctx.store
        .releaseList(list)
        .catch((error: unknown) => log.warn({ errMessage: errorMessage(error) }, 'list lock not released'));
  }
}

async function runList(ctx: ListContext, list: RunList, counts: ListCounts, log: Logger): Promise<ListReport> {
  const { deps, store } = ctx;
  const listRunId = await store.startList(ctx.run, list);
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
          // Only what went out: a call the budget refused, or a shutdown before sending, cost nothing.
          const spent = error instanceof SyncError ? error.callsSpent : 0;
          counts.apiCalls += spent;
          counts.apiRetries += Math.max(0, spent - 1);
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
        budget: ctx.allowance.forList(list),
        log,
        runId: ctx.run.runId,
        signal: ctx.signal,
        lastSeenResolutionMs: deps.lastSeenResolutionMs ?? DEFAULT_LAST_SEEN_RESOLUTION_MS,
        dbRetry: createDbRetry(log, { signal: ctx.signal }),
        policy: { ...DEFAULT_POLICY, ...deps.policy },
        pageConcurrency: ctx.concurrency,
        redactor: deps.redactor ?? SecretRedactor.none,
        observer: deps.observer,
        pageLogLevel: deps.pageLogLevel,
      },
      { ...list, mode: list.mode ?? 'full' },
      counts,
    );
    const outcome = result.settled ? 'succeeded' : 'partial';
    await store.finishList(listRunId, outcome, counts, {
      settled: result.settled,
      verified: result.verified,
      drift: result.drift,
      learning: result.learning,
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
    const unsettled = result.settled
      ? undefined
      : { code: 'LIST_UNSETTLED' as const, message: `did not settle: ${result.drift.join('; ')}` };
    return listReport(list, outcome, { counts, problem: unsettled, quarantined: result.quarantined, verified: result.verified });
  } catch (caught) {
    if (caught instanceof SyncError && caught.code === 'BUDGET_DEFERRED') {
      // Not a failure: what was read is stored, and the next run reads the rest.
      const learning = {
        readMode: list.mode === 'probe' ? 'probe' : 'full',
        servedOrder: null,
        servedPerPage: null,
        needsFullRead: true,
      } as const;
      await store.finishList(listRunId, 'skipped', counts, { error: caught, learning });
      log.warn({ code: caught.code, reason: caught.message, ...counts }, 'list deferred');
      return listReport(list, 'skipped', { counts, problem: caught });
    }
    const { error, outcome } = classifyListFailure(caught, ctx.endedBy(), deps.signal, raisedHere);
    if (endsTheRun(error)) ctx.endRun(error); // stop the others first, record second
    await store.finishList(listRunId, outcome, counts, { error });
    const code = error instanceof SyncError ? error.code : 'INTERNAL';
    const apiFields = error instanceof ApiError ? error.toLog() : { code };
    // An answer of the API (a 401, a 404) is all in its fields; a stack trace helps only with the unexpected.
    const errFields = error instanceof ApiError && error.kind === 'http' ? { errMessage: error.message } : { err: error };
    log.error(
      { outcome, durationMs: Math.round(performance.now() - started), ...counts, ...apiFields, ...errFields },
      'list finished',
    );
    return listReport(list, outcome, { counts, problem: { code, message: errorMessage(error) } });
  }
}
