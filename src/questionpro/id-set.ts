/**
 * A set of ticketIDs for one pass over a list: open addressing over a Float64Array
 * (16 bytes an ID at most), because a pass may read a million tickets and a
 * Set<number> costs several times that.
 */
export class IdSet {
  private slots = new Float64Array(1024).fill(Number.NaN);
  private count = 0;

  has(id: number): boolean {
    return this.slots[this.find(id)] === id;
  }

  add(id: number): void {
    const at = this.find(id);
    if (this.slots[at] === id) return;
    this.slots[at] = id;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.grow();
  }

  /** The slot holding `id`, or the empty one where it would go. */
  private find(id: number): number {
    const mask = this.slots.length - 1;
    // Ticket IDs are mostly consecutive: a multiplicative hash spreads them over the table.
    let at = Math.imul(id | 0, 0x9e3779b1) ^ Math.imul(Math.floor(id / 4_294_967_296), 0x85ebca6b);
    for (at &= mask; ; at = (at + 1) & mask) {
      const slot = this.slots[at]!;
      if (slot === id || Number.isNaN(slot)) return at;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(Number.NaN);
    this.count = 0;
    for (const id of old) if (!Number.isNaN(id)) this.add(id);
  }
}
