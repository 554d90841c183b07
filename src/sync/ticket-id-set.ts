import { createHash } from 'node:crypto';

/**
 * The ticket IDs one pass over a list has read, kept compact (8 bytes each in a
 * Float64Array once the pass ends; a Set<number> costs several times that), and a
 * fingerprint of which tickets each page held, so two passes can be compared without
 * keeping both. Pages may arrive in any order (they are fetched concurrently), and a
 * server may shuffle the records within a page: the fingerprint depends on neither.
 */
export class TicketIdSet {
  private readonly pages = new Map<number, { ids: Float64Array; unidentified: readonly string[] }>();
  private reads = 0;

  addPage(page: number, ids: readonly number[], unidentified: readonly string[] = []): void {
    this.pages.set(page, { ids: Float64Array.from(ids).sort(), unidentified: [...unidentified].sort() });
    this.reads += ids.length + unidentified.length;
  }

  /** Records read, duplicates included. */
  get readCount(): number {
    return this.reads;
  }

  /**
   * Whether page after page holds lower ticketIDs than the page before (every ID of a
   * page above every ID of the next): the list is served newest first, as the vendor's
   * example is, so where each page should start can be told from the stored list.
   * Undefined when the pass cannot tell (a record without a usable ID, or one page).
   */
  newestFirst(): boolean | undefined {
    const numbers = [...this.pages.keys()].sort((a, b) => a - b);
    if (numbers.length < 2 || numbers.some((n) => this.pages.get(n)!.unidentified.length > 0)) return undefined;
    let previousMin = Number.POSITIVE_INFINITY;
    for (const n of numbers) {
      const { ids } = this.pages.get(n)!;
      if (ids.length === 0) continue;
      if (ids[ids.length - 1]! >= previousMin) return false;
      previousMin = ids[0]!;
    }
    return true;
  }

  /** Sorted distinct IDs and the fingerprint. */
  finish(): { ids: Float64Array; fingerprint: string } {
    const hash = createHash('sha256');
    const all = new Float64Array(this.reads);
    let length = 0;
    for (const page of [...this.pages.keys()].sort((a, b) => a - b)) {
      const { ids, unidentified } = this.pages.get(page)!;
      hash.update(`p${page}:`);
      hash.update(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
      for (const raw of unidentified) hash.update(`?${raw.length}:${raw}`);
      all.set(ids, length);
      length += ids.length;
    }
    const sorted = all.subarray(0, length).sort();
    let distinct = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i]!;
    }
    this.pages.clear();
    return { ids: sorted.slice(0, distinct), fingerprint: hash.digest('hex') };
  }
}
