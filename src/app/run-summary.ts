import type { ListReport } from '../lists/report.js';
import type { RunReport } from '../sync/run-sync.js';
import type { RunVerdict } from './run-verdict.js';

/**
 * A run as a person at a terminal reads it: a row per list, then the totals. What the
 * demo prints for each of its syncs and `sync` prints when stdout is a terminal (a log
 * pipeline has the same in `list finished` and `run finished`).
 */
export function printRunSummary(report: RunReport, label: string): void {
  // The reason column only when a list has one (a deferral, a refused key, an unknown segment).
  const withReason = report.lists.some((l) => l.code !== undefined);
  const rows = report.lists.map((l) => ({
    segment: l.segmentId,
    status: l.status,
    outcome: l.outcome,
    ...(withReason ? { reason: l.code ?? '' } : {}),
    passes: l.counts.passes,
    'api calls': l.counts.apiCalls,
    tickets: l.counts.ticketsSeen,
    inserted: l.counts.ticketsInserted,
    updated: l.counts.ticketsUpdated,
    unchanged: l.counts.ticketsUnchanged,
    gone: l.counts.ticketsGone,
  }));
  const sum = (pick: (l: ListReport) => number) => report.lists.reduce((n, l) => n + pick(l), 0);
  const verified = report.lists.filter((l) => l.verified).length;
  console.log(`\nrun ${report.runId}${label ? ` (${label})` : ''}:`);
  console.table(rows);
  console.log(
    `run ${report.status} in ${(report.durationMs / 1000).toFixed(2)} s: ${sum((l) => l.counts.ticketsSeen)} tickets read, ` +
      `${sum((l) => l.counts.ticketsInserted)} inserted, ${sum((l) => l.counts.ticketsUpdated)} updated, ` +
      `${sum((l) => l.counts.ticketsGone)} gone from their list; API calls: ${sum((l) => l.counts.apiCalls)} ` +
      `(${verified} of ${report.lists.length} lists read fully and verified, the others probed)`,
  );
}

/**
 * One line for a run: what the worker prints per run in a terminal (its pages are at
 * debug there; `list finished` and `run finished` stay in the log).
 */
export function runLine(report: RunReport): string {
  const sum = (pick: (l: ListReport) => number) => report.lists.reduce((n, l) => n + pick(l), 0);
  const outcomes = new Map<string, number>();
  for (const l of report.lists) outcomes.set(l.outcome, (outcomes.get(l.outcome) ?? 0) + 1);
  const lists = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return (
    `run ${report.runId} ${report.status} in ${(report.durationMs / 1000).toFixed(1)} s: ${report.lists.length} lists (${lists}), ` +
    `${sum((l) => l.counts.apiCalls)} API calls, ${sum((l) => l.counts.ticketsInserted)} new, ` +
    `${sum((l) => l.counts.ticketsUpdated)} updated, ${sum((l) => l.counts.ticketsGone)} gone`
  );
}

/** What the exit code of a run means, in a sentence: the last line `sync` prints in a terminal (a refused key has its own). */
export function describeVerdict(verdict: RunVerdict, lists: number): string {
  if (verdict.exitCode === 1) return 'exit 1: a list failed or did not settle (see the reason column); the next run retries it';
  if (verdict.deferred > 0)
    return (
      `exit 0: nothing failed; ${verdict.deferred} of ${lists} list(s) deferred by the API call budget (API_CALL_BUDGET), ` +
      'read by the next runs as the budget allows'
    );
  return 'exit 0: every list synced';
}
