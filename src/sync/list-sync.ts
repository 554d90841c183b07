import type { ListMode } from '../budget/planner.js';
import { SyncError } from '../errors.js';
import { emptyCounts, type ListCounts } from '../lists/counts.js';
import type { ListRef } from '../lists/list.js';
import type { QuarantineNote } from '../lists/report.js';
import { fullRead } from './list-full-read.js';
import { probeList } from './list-probe.js';
import type { ListRead, ListSyncContext } from './list-read.js';

export type { CompletenessPolicy, ListSyncContext } from './list-read.js';

export interface ListSyncResult extends ListRead {
  readonly counts: ListCounts;
  /** The first quarantined records (page, ticketID, requestID, reason). */
  readonly quarantined: readonly QuarantineNote[];
}

/** The pages of a full read, as the probe just saw the list (totalItems at the served page size). */
function pagesOf(counts: ListCounts, list: ListRef): number | undefined {
  return counts.totalItems === null ? undefined : Math.max(1, Math.ceil(counts.totalItems / list.perPage));
}

/** A list as a run reads it: how (the plan's mode), and which quarantined records still count as in it. */
export type ListToSync = ListRef & { readonly mode: ListMode; readonly quarantinedSince?: bigint | null };

/**
 * Reads a list the way the plan says: a probe (list-probe.ts) when the list is served
 * newest first and was read fully before, falling back to a full read when the probe
 * cannot explain what it sees; a full read (list-full-read.ts) otherwise. A full read
 * the budget cannot pay for ends with BUDGET_DEFERRED (what was read is stored).
 */
export async function syncList(
  ctx: ListSyncContext,
  list: ListToSync,
  counts: ListCounts = emptyCounts(),
): Promise<ListSyncResult> {
  const tallies = { counts, notes: [] as QuarantineNote[] };
  let read: ListRead;
  if (list.mode === 'verify') {
    // The probe first: what it sees at the head is recorded, then the full read verifies the rest.
    const probe = await probeList(ctx, list, tallies, list.quarantinedSince ?? null);
    if (probe.kind === 'unexplained')
      ctx.log.info({ reason: probe.reason }, 'the probe cannot explain the list: the full read will');
    read = await fullRead(ctx, probe.list, tallies, pagesOf(counts, probe.list));
  } else if (list.mode === 'probe') {
    const probe = await probeList(ctx, list, tallies, list.quarantinedSince ?? null);
    if (probe.kind === 'settled') read = probe.read;
    else {
      ctx.log.info({ reason: probe.reason }, 'the probe cannot explain the list: reading it fully');
      try {
        read = await fullRead(ctx, probe.list, tallies, pagesOf(counts, probe.list));
      } catch (error) {
        if (error instanceof SyncError && error.code === 'BUDGET_DEFERRED') {
          throw new SyncError('BUDGET_DEFERRED', `${probe.reason}; ${error.message}`);
        }
        throw error;
      }
    }
  } else read = await fullRead(ctx, list, tallies);
  counts.ticketsUnchanged = Math.max(0, counts.ticketsSeen - counts.ticketsInserted - counts.ticketsUpdated);
  return { ...read, counts, quarantined: tallies.notes };
}
