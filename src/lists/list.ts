/**
 * The unit of work of the whole service: one (segment, status) list of the API, read
 * page by page. Everything that plans, reads, records or reports a list names it with
 * this type, and the two keys below are the only ways to turn it into text.
 */
export interface ListRef {
  readonly segmentId: number;
  readonly status: number;
  /** The page size asked of the API for this list. */
  readonly perPage: number;
}

/** What identifies a list: a segment and a ticket status (the page size is how it is read, not which list). */
export type ListId = Pick<ListRef, 'segmentId' | 'status'>;

/** Every configured segment × status, in configuration order. */
export function listsFor(segments: readonly number[], statuses: readonly number[], perPage: number): ListRef[] {
  return segments.flatMap((segmentId) => statuses.map((status) => ({ segmentId, status, perPage })));
}

/** A list's identity as a map key within this process ("101/0"). */
export function listIdentity(list: ListId): string {
  return `${list.segmentId}/${list.status}`;
}

/**
 * The name of a list's advisory lock in PostgreSQL, shared by every process syncing into
 * the same database: whoever holds it is syncing the list. Changing it would let an
 * older replica and a newer one sync the same list at once.
 */
export function listLockKey(list: ListId): string {
  return `detractor-sync:list:${list.segmentId}:${list.status}`;
}

/** "segment 101 status 0", for messages people read. */
export function listLabel(list: ListId): string {
  return `segment ${list.segmentId} status ${list.status}`;
}

/** What people call segments and statuses (SYNC_SEGMENT_NAMES, SYNC_STATUS_LABELS). */
export interface ListNames {
  readonly segmentNames: ReadonlyMap<number, string>;
  readonly statusLabels: ReadonlyMap<number, string>;
}

/** "Retail EU (101)" and "open (0)" where names are configured, "segment 101" and "status 0" where not. */
export function namedListParts(list: ListId, names: ListNames): { readonly segment: string; readonly status: string } {
  const segment = names.segmentNames.get(list.segmentId);
  const status = names.statusLabels.get(list.status);
  return {
    segment: segment ? `${segment} (${list.segmentId})` : `segment ${list.segmentId}`,
    status: status ? `${status} (${list.status})` : `status ${list.status}`,
  };
}
