import type { ListRef } from '../lists/list.js';
import { ProgressDisplay } from '../terminal/progress-display.js';
import { listProgressLabel } from '../terminal/progress-text.js';
import { outputFacts, progressMode } from '../terminal/terminal-mode.js';

const UNNAMED = { segments: new Map<number, string>(), statuses: new Map<number, string>() };

/**
 * The benchmark's first sync shown in a terminal as `sync` shows it (undefined when the
 * output is piped, as in CI: the figures are the same either way).
 */
export function benchProgress(lists: readonly ListRef[], ratePerMinute: number): ProgressDisplay | undefined {
  const mode = progressMode(outputFacts());
  if (mode === 'off') return undefined;
  return new ProgressDisplay({
    mode,
    lists: lists.map((l) => ({ ...l, label: listProgressLabel(l, UNNAMED) })),
    ratePerMinute: ratePerMinute > 0 ? ratePerMinute : 1_000_000,
    budget: null,
    stream: process.stderr,
  });
}
