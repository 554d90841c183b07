// A tiny seeded PRNG for the simulator's generated data. Math.random cannot be seeded,
// and tests need "same inputs -> same tickets" across runs and across simulators.

/** A source of uniform numbers in [0, 1) plus the few draws the generator needs. */
export interface Prng {
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

// Module-level aliases: under jest every global lookup (Math) goes through the vm
// context's interceptors, which made generating a million tickets ten times slower.
const { floor, imul } = Math;

/**
 * A PRNG whose stream depends only on `keys`. The generator keys it by
 * (seed, segment, status, index) so that each ticket is computed on its own: a list of
 * n+k tickets then contains the same n tickets as a list of n.
 */
export function createPrng(...keys: number[]): Prng {
  let state = hashKeys(keys);
  // mulberry32: small, fast and well-distributed enough for test data.
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick() needs a non-empty list');
      return item;
    },
  };
}

// Mixes both 32-bit halves of every key, so that keys above 2^32 (segment-derived
// numbers) and negative keys still change the stream.
function hashKeys(keys: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const key of keys) {
    const low = key >>> 0;
    const high = floor(key / 4294967296) >>> 0;
    for (const word of [low, high]) {
      h = imul(h ^ word, 0x01000193);
      h ^= h >>> 13;
      h = imul(h, 0x5bd1e995);
      h ^= h >>> 15;
    }
  }
  return h | 0;
}

/** Fisher-Yates, seeded by the answer's number: each answer another order, reproducibly. */
export function shuffle<T>(items: T[], n: number): void {
  const rng = createPrng(n, items.length);
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
