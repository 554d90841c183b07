import os from 'node:os';
import type { Db } from '../db/prisma.js';
import { ApiError } from '../questionpro/api-error.js';
import { SyncError, errorMessage } from '../errors.js';

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
  totalItems: number | null;
  apiRetries: number;
}

export function emptyCounts(): ListCounts {
  return { pages: 0, ticketsSeen: 0, ticketsInserted: 0, ticketsUpdated: 0, ticketsUnchanged: 0, ticketsRejected: 0, totalItems: null, apiRetries: 0 };
}

/** The error columns of a run or list: code, message and, for API errors, what support asks for. */
export function errorColumns(error: unknown) {
  return {
    errorCode: error instanceof SyncError ? error.code : 'INTERNAL',
    errorMessage: errorMessage(error).slice(0, 2000),
    errorHttpStatus: error instanceof ApiError ? (error.httpStatus ?? null) : null,
    errorApiId: error instanceof ApiError ? (error.apiErrorId ?? null) : null,
    errorRequestId: error instanceof ApiError ? (error.requestId ?? null) : null,
  };
}

export async function startRun(db: Db, trigger: RunTrigger): Promise<bigint> {
  const run = await db.syncRun.create({
    data: { trigger, status: 'running', hostname: os.hostname(), pid: process.pid },
    select: { id: true },
  });
  return run.id;
}

export async function finishRun(
  db: Db,
  runId: bigint,
  status: RunStatus,
  totals: { listsTotal: number; listsFailed: number } & Omit<ListCounts, 'totalItems' | 'apiRetries'>,
  error?: unknown,
): Promise<void> {
  const failure = error === undefined ? undefined : errorColumns(error);
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

export async function finishList(db: Db, listRunId: bigint, outcome: ListOutcome, counts: ListCounts, error?: unknown): Promise<void> {
  await db.syncRunSegment.update({
    where: { id: listRunId },
    data: { outcome, finishedAt: new Date(), ...counts, ...(error === undefined ? {} : errorColumns(error)) },
  });
}

/** A list the run never reached (the run ended early): recorded so every list is accounted for. */
export async function recordSkippedList(db: Db, runId: bigint, segmentId: number, status: number, reason: SyncError): Promise<void> {
  await db.syncRunSegment.create({
    data: {
      runId,
      segmentId: BigInt(segmentId),
      status,
      outcome: 'skipped',
      finishedAt: new Date(),
      errorCode: reason.code,
      errorMessage: `not attempted: ${reason.message}`.slice(0, 2000),
    },
  });
}
