import { AbortedError, SyncError, type ErrorCode } from '../errors.js';
import { sumCounts, type RunTotals } from '../lists/counts.js';
import type { FinalRunStatus } from '../lists/outcomes.js';
import type { ListReport } from '../lists/report.js';

/** Skips that are not failures: another worker has the list covered, or the API call budget deferred it. */
const NOT_FAILURES = new Set<ErrorCode>(['LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE', 'BUDGET_DEFERRED']);

/** Errors that end the whole run: no other list can escape them (a shutdown aside). */
export function endsTheRun(error: unknown): error is SyncError {
  return error instanceof SyncError && error.fatal && !(error instanceof AbortedError);
}

/**
 * What a list's failure was and how to record it: its own error ends the run when no
 * list can escape it; a list stopped by another list's fatal error, or by a shutdown,
 * was aborted, and says by what.
 */
export function classifyListFailure(
  caught: unknown,
  endedBy: SyncError | undefined,
  shutdown: AbortSignal | undefined,
  /** The run-ending error this list's own request got, if any (it may have ended the run already). */
  raisedHere?: SyncError,
): { readonly error: unknown; readonly outcome: 'failed' | 'aborted' } {
  if (endsTheRun(caught) && (caught !== endedBy || caught === raisedHere)) return { error: caught, outcome: 'failed' };
  if (endedBy && !(endedBy instanceof AbortedError)) {
    return {
      error: new SyncError(endedBy.code, `run ended by another list: ${endedBy.message}`, { requestId: endedBy.requestId }),
      outcome: 'aborted',
    };
  }
  if (shutdown?.aborted) return { error: AbortedError.from(shutdown), outcome: 'aborted' };
  return { error: caught, outcome: caught instanceof AbortedError ? 'aborted' : 'failed' };
}

function isOk(report: ListReport): boolean {
  return (
    report.outcome === 'succeeded' || (report.outcome === 'skipped' && report.code !== undefined && NOT_FAILURES.has(report.code))
  );
}

/**
 * aborted: shutdown; skipped: the budget deferred every list; succeeded: every list
 * (or a replica had it, or the budget deferred it); partial: some progress; failed: none.
 */
export function runStatus(reports: readonly ListReport[], shutdown: boolean): FinalRunStatus {
  if (shutdown) return 'aborted';
  if (reports.length > 0 && reports.every((r) => r.code === 'BUDGET_DEFERRED')) return 'skipped';
  const ok = reports.filter(isOk).length;
  if (ok === reports.length) return 'succeeded';
  const anyProgress = reports.some((r) => isOk(r) || r.outcome === 'partial');
  return anyProgress ? 'partial' : 'failed';
}

/** The run's totals: its lists' counters summed, and how many lists were not a success. */
export function runTotals(reports: readonly ListReport[]): RunTotals {
  return {
    listsTotal: reports.length,
    listsFailed: reports.filter((r) => !isOk(r)).length,
    ...sumCounts(reports.map((r) => r.counts)),
  };
}
