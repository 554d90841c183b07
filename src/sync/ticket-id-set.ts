import { createHash, type Hash } from 'node:crypto';

/**
 * The ticket IDs one pass over a list has read, kept compact: 8 bytes per read in a
 * growable Float64Array (a Set<number> costs ~5x that), sorted and deduplicated once
 * at the end. Also a fingerprint of the order in which IDs were read, so two passes
 * can be compared without keeping both.
 */
export class TicketIdSet {
  private ids = new Float64Array(1024);
  private length = 0;
  private readonly hash: Hash = createHash('sha256');

  add(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Float64Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
    this.hash.update(`${id},`);
  }

  /** Marks a record that has no usable ID (quarantined) in the fingerprint. */
  addUnidentified(raw: string): void {
    this.hash.update(`?${raw.length}:${raw},`);
  }

  /** Sorted, distinct IDs and the read-order fingerprint. The set cannot be used afterwards. */
  finish(): { ids: Float64Array; fingerprint: string } {
    const sorted = this.ids.subarray(0, this.length).sort();
    let distinct = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i]!;
    }
    const ids = sorted.slice(0, distinct);
    this.ids = new Float64Array(0);
    return { ids, fingerprint: this.hash.digest('hex') };
  }
}

/** Binary search in sorted IDs. */
export function hasId(sortedIds: Float64Array, id: number): boolean {
  let lo = 0;
  let hi = sortedIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = sortedIds[mid]!;
    if (value === id) return true;
    if (value < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
