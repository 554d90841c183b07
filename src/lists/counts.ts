/**
 * What one list did in a run, and the same summed over a run. Each counter is named
 * once, here, with the column it is recorded in: the type, the empty counts, the sums,
 * the UPDATE of the run records and the metrics all derive from these tables.
 */
export const LIST_COUNT_COLUMNS = {
  pages: 'pages',
  ticketsSeen: 'tickets_seen',
  ticketsInserted: 'tickets_inserted',
  ticketsUpdated: 'tickets_updated',
  ticketsUnchanged: 'tickets_unchanged',
  ticketsRejected: 'tickets_rejected',
  ticketsGone: 'tickets_gone',
  ticketsReturned: 'tickets_returned',
  apiRetries: 'api_retries',
  /** API calls made for the list, retries included. */
  apiCalls: 'api_calls',
  passes: 'passes',
} as const;

export type CountField = keyof typeof LIST_COUNT_COLUMNS;

/** The counters of a list, plus `totalItems`: what the API announced at the last page read (not a sum). */
export type ListCounts = Record<CountField, number> & { totalItems: number | null };

/** The counters a run's row (sync_runs) sums over its lists; their columns are named as in LIST_COUNT_COLUMNS. */
export const RUN_TOTAL_FIELDS = [
  'pages',
  'ticketsSeen',
  'ticketsInserted',
  'ticketsUpdated',
  'ticketsUnchanged',
  'ticketsRejected',
  'apiCalls',
] as const satisfies readonly CountField[];

export type RunTotalField = (typeof RUN_TOTAL_FIELDS)[number];

export type RunTotals = { listsTotal: number; listsFailed: number } & Record<RunTotalField, number>;

const COUNT_FIELDS = Object.keys(LIST_COUNT_COLUMNS) as CountField[];

export function emptyCounts(): ListCounts {
  const counts = { totalItems: null } as ListCounts;
  for (const field of COUNT_FIELDS) counts[field] = 0;
  return counts;
}

/** The run-level counters summed over lists. */
export function sumCounts(lists: readonly ListCounts[]): Record<RunTotalField, number> {
  const sums = {} as Record<RunTotalField, number>;
  for (const field of RUN_TOTAL_FIELDS) sums[field] = lists.reduce((n, counts) => n + counts[field], 0);
  return sums;
}
