/**
 * The name a mistyped one most likely meant: the one a typo or two away (a swap of two
 * neighbouring letters counts as one), or the only one it begins. Undefined when
 * nothing is that close: a wrong guess would mislead more than none.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  const word = bare(typed);
  if (word === '') return undefined;
  const limit = Math.min(2, Math.floor(word.length / 2));
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(word, bare(name));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best) return best.name;
  const starting = names.filter((name) => word.length >= 3 && bare(name).startsWith(word));
  return starting.length === 1 ? starting[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
