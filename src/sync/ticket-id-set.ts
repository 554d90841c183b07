import { createHash } from 'node:crypto';

/**
 * The ticket IDs one pass over a list has read, kept compact (8 bytes each in a
 * Float64Array once the pass ends; a Set<number> costs several times that), and a
 * fingerprint of what each page held in page order, so two passes can be compared
 * without keeping both. Pages may arrive in any order (they are fetched
 * concurrently); the fingerprint does not depend on it.
 */
export class TicketIdSet {
  private readonly pages = new Map<number, { ids: Float64Array; unidentified: readonly string[] }>();
  private reads = 0;

  addPage(page: number, ids: readonly number[], unidentified: readonly string[] = []): void {
    this.pages.set(page, { ids: Float64Array.from(ids), unidentified });
    this.reads += ids.length + unidentified.length;
  }

  /** Records read, duplicates included. */
  get readCount(): number {
    return this.reads;
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
