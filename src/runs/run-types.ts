/** The words of a run's life, shared by the orchestrator, the store, metrics and logs. */

export type RunTrigger = 'cron' | 'cli' | 'startup' | 'demo' | 'bench';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'aborted' | 'abandoned' | 'skipped';
export type ListOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'aborted';

/** What one list did in a run; mirrored by the columns of sync_run_segments. */
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
  /** API calls made for the list, retries included. */
  apiCalls: number;
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
    apiCalls: 0,
    passes: 0,
  };
}

/** The counts summed over a run's lists (sync_runs columns). */
export type RunTotals = { listsTotal: number; listsFailed: number } & Pick<
  ListCounts,
  'pages' | 'ticketsSeen' | 'ticketsInserted' | 'ticketsUpdated' | 'ticketsUnchanged' | 'ticketsRejected' | 'apiCalls'
>;
