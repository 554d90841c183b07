import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { AbortedError, SyncError, errorMessage } from '../errors.js';
import { ApiError } from '../questionpro/api-error.js';
import type { ListRef, PageSource } from '../questionpro/pages.js';
import { syncList } from './list-sync.js';
import {
  emptyCounts,
  finishList,
  finishRun,
  recordSkippedList,
  startList,
  startRun,
  type ListCounts,
  type ListOutcome,
  type RunStatus,
  type RunTrigger,
} from './run-records.js';

export interface RunDeps {
  readonly db: Db;
  readonly source: PageSource;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly lastSeenResolutionMs?: number;
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
}

export interface RunReport {
  readonly runId: bigint;
  readonly status: RunStatus;
  readonly lists: readonly ListReport[];
  readonly durationMs: number;
  readonly error?: string;
}

export const DEFAULT_LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;

/** Every configured segment × status, in configuration order. */
export function listsFor(segments: readonly number[], statuses: readonly number[], perPage: number): ListRef[] {
  return segments.flatMap((segmentId) => statuses.map((status) => ({ segmentId, status, perPage })));
}

/**
 * One sync run: each list in turn, each recorded in `sync_run_segments`. A list that
 * fails is recorded and the run goes on with the next (what others stored stays);
 * errors that no other list can escape (a rejected API key, the call allowance used
 * up, shutdown) end the run at once, and the lists not reached are recorded as skipped.
 */
export async function runSync(deps: RunDeps, request: RunRequest): Promise<RunReport> {
  const started = performance.now();
  const runId = await startRun(deps.db, request.trigger);
  const runLog = deps.log.child({ runId: runId.toString(), trigger: request.trigger });
  runLog.info({ lists: request.lists.length }, 'run started');

  const reports: ListReport[] = [];
  let fatal: SyncError | undefined;
  for (const list of request.lists) {
    if (fatal) {
      await recordSkippedList(deps.db, runId, list.segmentId, list.status, fatal);
      reports.push({ segmentId: list.segmentId, status: list.status, outcome: 'skipped', counts: emptyCounts(), error: fatal.message });
      continue;
    }
    const report = await runList(deps, runId, runLog, list);
    reports.push(report.report);
    fatal = report.fatal;
  }

  const status = runStatus(reports, fatal);
  const totals = sumCounts(reports);
  await finishRun(deps.db, runId, status, totals, fatal);
  const durationMs = Math.round(performance.now() - started);
  const logLine = { status, durationMs, ...totals, ...(fatal ? { errorCode: fatal.code } : {}) };
  if (status === 'succeeded') runLog.info(logLine, 'run finished');
  else runLog.error({ ...logLine, err: fatal }, 'run finished');
  return { runId, status, lists: reports, durationMs, ...(fatal ? { error: fatal.message } : {}) };
}

async function runList(
  deps: RunDeps,
  runId: bigint,
  runLog: Logger,
  list: ListRef,
): Promise<{ report: ListReport; fatal?: SyncError }> {
  const log = runLog.child({ segmentId: list.segmentId, status: list.status });
  const listRunId = await startList(deps.db, runId, list.segmentId, list.status);
  const counts = emptyCounts();
  const started = performance.now();
  try {
    await syncList(
      {
        db: deps.db,
        source: deps.source,
        log,
        runId,
        signal: deps.signal,
        lastSeenResolutionMs: deps.lastSeenResolutionMs ?? DEFAULT_LAST_SEEN_RESOLUTION_MS,
      },
      list,
      counts,
    );
    await finishList(deps.db, listRunId, 'succeeded', counts);
    log.info({ outcome: 'succeeded', durationMs: Math.round(performance.now() - started), ...counts }, 'list finished');
    return { report: { segmentId: list.segmentId, status: list.status, outcome: 'succeeded', counts } };
  } catch (caught) {
    const error = deps.signal?.aborted && !(caught instanceof AbortedError) ? new AbortedError() : caught;
    const outcome: ListOutcome = error instanceof AbortedError ? 'aborted' : 'failed';
    await finishList(deps.db, listRunId, outcome, counts, error);
    const apiFields = error instanceof ApiError ? error.toLog() : { code: error instanceof SyncError ? error.code : 'INTERNAL' };
    log.error({ outcome, durationMs: Math.round(performance.now() - started), ...counts, ...apiFields, err: error }, 'list finished');
    const report: ListReport = { segmentId: list.segmentId, status: list.status, outcome, counts, error: errorMessage(error) };
    const fatal = error instanceof SyncError && error.fatal ? error : undefined;
    return fatal ? { report, fatal } : { report };
  }
}

function runStatus(reports: readonly ListReport[], fatal: SyncError | undefined): RunStatus {
  if (fatal instanceof AbortedError) return 'aborted';
  const succeeded = reports.filter((r) => r.outcome === 'succeeded').length;
  if (succeeded === reports.length) return 'succeeded';
  return succeeded === 0 ? 'failed' : 'partial';
}

function sumCounts(reports: readonly ListReport[]) {
  const total = { listsTotal: reports.length, listsFailed: 0, pages: 0, ticketsSeen: 0, ticketsInserted: 0, ticketsUpdated: 0, ticketsUnchanged: 0, ticketsRejected: 0 };
  for (const { counts, outcome } of reports) {
    if (outcome !== 'succeeded') total.listsFailed += 1;
    total.pages += counts.pages;
    total.ticketsSeen += counts.ticketsSeen;
    total.ticketsInserted += counts.ticketsInserted;
    total.ticketsUpdated += counts.ticketsUpdated;
    total.ticketsUnchanged += counts.ticketsUnchanged;
    total.ticketsRejected += counts.ticketsRejected;
  }
  return total;
}
