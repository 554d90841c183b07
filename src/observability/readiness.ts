import { createTask } from 'node-cron';
import { readListStates, type ListState } from '../db/sql/list-state.js';
import type { Db } from '../db/prisma.js';
import { oneLineMessage } from '../errors.js';
import { listIdentity, listLabel, type ListRef } from '../lists/list.js';

export interface ListFreshness {
  readonly segmentId: number;
  readonly status: number;
  readonly lastSuccessAt: string | null;
  readonly ageSeconds: number | null;
  readonly limitSeconds: number;
  readonly stale: boolean;
}

export interface Readiness {
  readonly ready: boolean;
  readonly database: { readonly ok: boolean; readonly error?: string };
  /** Empty until the worker's first sync finished: freshness is not judged before. */
  readonly lists: readonly ListFreshness[];
  readonly reasons: readonly string[];
}

const DB_CHECK_TIMEOUT_MS = 3_000;

/** Three schedule intervals: one missed run is tolerated, two are not. */
export async function defaultStaleAfterSeconds(cron: string, timezone: string): Promise<number> {
  const task = createTask(cron, () => undefined, { timezone });
  try {
    const [first, second] = task.getNextRuns(2);
    const interval = first && second ? (second.getTime() - first.getTime()) / 1000 : 900;
    return Math.max(60, Math.round(3 * interval));
  } finally {
    await task.destroy();
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /readyz: the database answers and, once a first sync has finished, every configured
 * list synced successfully within `staleAfterSeconds`. Never throws: a failing check
 * is a reason in the answer.
 */
export async function checkReadiness(deps: {
  db: Db;
  lists: readonly ListRef[];
  staleAfterSeconds: number;
  statusIntervalSeconds?: Readonly<Record<number, number>>;
  firstSyncFinished: boolean;
  /** Lists of open statuses the last run's budget deferred: their tickets wait for action. */
  deferredOpenLists?: readonly string[];
  now?: Date;
}): Promise<Readiness> {
  const now = deps.now ?? new Date();
  let states: ListState[];
  try {
    states = await withTimeout(readListStates(deps.db), DB_CHECK_TIMEOUT_MS, 'the database');
  } catch (error) {
    const message = oneLineMessage(error);
    return { ready: false, database: { ok: false, error: message }, lists: [], reasons: [`database: ${message}`] };
  }
  if (!deps.firstSyncFinished) return { ready: true, database: { ok: true }, lists: [], reasons: [] };

  const bySegment = new Map(states.map((r) => [listIdentity(r), r.lastSuccessAt]));
  const lists = deps.lists.map((list): ListFreshness => {
    const at = bySegment.get(listIdentity(list)) ?? null;
    const ageSeconds = at ? Math.round((now.getTime() - at.getTime()) / 1000) : null;
    // A status read less often (SYNC_STATUS_INTERVALS) may be that much older.
    const limit = deps.staleAfterSeconds + (deps.statusIntervalSeconds?.[list.status] ?? 0);
    return {
      segmentId: list.segmentId,
      status: list.status,
      lastSuccessAt: at ? at.toISOString() : null,
      ageSeconds,
      limitSeconds: limit,
      stale: ageSeconds === null || ageSeconds > limit,
    };
  });
  const reasons = lists
    .filter((l) => l.stale)
    .map((l) =>
      l.ageSeconds === null
        ? `${listLabel(l)}: never synced successfully`
        : `${listLabel(l)}: last success ${l.ageSeconds} s ago (limit ${l.limitSeconds} s)`,
    );
  if (deps.deferredOpenLists?.length) {
    reasons.push(
      `api budget: the last run deferred ${deps.deferredOpenLists.length} open list(s) (${deps.deferredOpenLists.join(', ')}); see npm run status`,
    );
  }
  return { ready: reasons.length === 0, database: { ok: true }, lists, reasons };
}
