import os from 'node:os';
import type { Db } from '../db/prisma.js';
import { ApiError } from '../questionpro/api-error.js';
import { SyncError, errorMessage } from '../errors.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { storableText } from './record-sanitizer.js';

export type RunTrigger = 'cron' | 'cli' | 'startup' | 'demo' | 'bench';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'aborted' | 'abandoned';
export type ListOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'aborted';

export interface ListCounts {
  pages: number;
  ticketsSeen: number;
  ticketsInserted: number;
  ticketsUpdated: number;
  ticketsUnchanged: number;
  ticketsRejected: number;
  ticketsGone: number;
  ticketsReturned: number;
  totalItems: number | null;
  apiRetries: number;
  passes: number;
}

export function emptyCounts(): ListCounts {
  return {
    pages: 0,
    ticketsSeen: 0,
    ticketsInserted: 0,
    ticketsUpdated: 0,
    ticketsUnchanged: 0,
    ticketsRejected: 0,
    ticketsGone: 0,
    ticketsReturned: 0,
    totalItems: null,
    apiRetries: 0,
    passes: 0,
  };
}

/**
 * The error columns of a run or list: code, message and, for API errors, what support
 * asks for. The message may quote what a server sent: secrets are removed by value.
 */
export function errorColumns(error: unknown, redactor: SecretRedactor = SecretRedactor.none) {
  return {
    errorCode: error instanceof SyncError ? error.code : 'INTERNAL',
    errorMessage: storableText(redactor.redact(errorMessage(error))).slice(0, 2000),
    errorHttpStatus: error instanceof ApiError ? (error.httpStatus ?? null) : null,
    errorApiId: error instanceof ApiError ? (error.apiErrorId ?? null) : null,
    errorRequestId: error instanceof SyncError ? (error.requestId ?? null) : null,
  };
}

export type RunTotals = { listsTotal: number; listsFailed: number } & Pick<
  ListCounts,
  'pages' | 'ticketsSeen' | 'ticketsInserted' | 'ticketsUpdated' | 'ticketsUnchanged' | 'ticketsRejected'
>;

export const runIdentity = () => ({ hostname: os.hostname(), pid: process.pid });

export async function finishRun(
  db: Db,
  runId: bigint,
  status: RunStatus,
  totals: RunTotals,
  error?: unknown,
  redactor?: SecretRedactor,
): Promise<void> {
  const failure = error === undefined ? undefined : errorColumns(error, redactor);
  await db.syncRun.update({
    where: { id: runId },
    data: {
      status,
      finishedAt: new Date(),
      ...totals,
      errorCode: failure?.errorCode ?? null,
      errorMessage: failure?.errorMessage ?? null,
    },
  });
}

export async function startList(db: Db, runId: bigint, segmentId: number, status: number): Promise<bigint> {
  const row = await db.syncRunSegment.create({
    data: { runId, segmentId: BigInt(segmentId), status, outcome: 'running' },
    select: { id: true },
  });
  return row.id;
}

export async function finishList(
  db: Db,
  listRunId: bigint,
  outcome: ListOutcome,
  counts: ListCounts,
  details: { settled?: boolean; error?: unknown; drift?: readonly string[]; redactor?: SecretRedactor } = {},
): Promise<void> {
  const failure = details.error === undefined ? {} : errorColumns(details.error, details.redactor);
  const unsettled =
    details.settled === false
      ? { errorCode: 'LIST_UNSETTLED', errorMessage: `the list kept changing while read: ${(details.drift ?? []).join('; ')}`.slice(0, 2000) }
      : {};
  await db.syncRunSegment.update({
    where: { id: listRunId },
    data: { outcome, finishedAt: new Date(), ...counts, settled: details.settled ?? null, ...unsettled, ...failure },
  });
}

/**
 * A list this run did not read, with the reason: the run ended early, another worker
 * holds the list, or another run synced it since this run started.
 */
export async function recordSkippedList(db: Db, runId: bigint, segmentId: number, status: number, reason: SyncError): Promise<void> {
  await db.syncRunSegment.create({
    data: {
      runId,
      segmentId: BigInt(segmentId),
      status,
      outcome: 'skipped',
      finishedAt: new Date(),
      errorCode: reason.code,
      errorMessage: `not synced by this run: ${reason.message}`.slice(0, 2000),
    },
  });
}

/** Whether another run finished this list successfully after `since` (e.g. a replica). */
export async function syncedElsewhereSince(db: Db, runId: bigint, segmentId: number, status: number, since: Date): Promise<bigint | undefined> {
  const other = await db.syncRunSegment.findFirst({
    where: { segmentId: BigInt(segmentId), status, outcome: 'succeeded', startedAt: { gte: since }, runId: { not: runId } },
    select: { runId: true },
  });
  return other?.runId;
}
