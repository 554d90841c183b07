import { namedListParts, type ListId } from '../lists/list.js';
import type { ListProgressLine, RunProgressSnapshot } from './run-progress.js';

const BAR_WIDTH = 20;
/** Counts as people read them: 28,000. */
export const number = new Intl.NumberFormat('en-US');

/** "Retail EU (101) · open (0)": names where the configuration gives them, codes always. */
export function listProgressLabel(
  list: ListId,
  names: { readonly segments: ReadonlyMap<number, string>; readonly statuses: ReadonlyMap<number, string> },
): string {
  const { segment, status } = namedListParts(list, { segmentNames: names.segments, statusLabels: names.statuses });
  return `${segment} · ${status}`;
}

/** A bar of `width` cells, filled in proportion; empty while the total is unknown. */
export function bar(done: number, total: number | null, width = BAR_WIDTH): string {
  const filled = total === null || total <= 0 ? 0 : Math.min(width, Math.round((done / total) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** 95 → "1m 35s", 3,700 → "1h 1m 40s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (h > 0) return `${h}h ${m}m ${r}s`;
  return m > 0 ? `${m}m ${r}s` : `${r}s`;
}

function pages(line: Pick<ListProgressLine, 'pagesRead' | 'pagesAnnounced'>): string {
  return `${number.format(line.pagesRead)}/${line.pagesAnnounced === null ? '?' : number.format(line.pagesAnnounced)} pages`;
}

/** One list: its name, where it is, then its state. */
export function listLine(line: ListProgressLine, labelWidth: number): string {
  const total = line.state === 'probing' ? null : line.pagesAnnounced;
  return [
    line.label.padEnd(labelWidth),
    bar(line.pagesRead, total),
    pages(line).padStart(15),
    `${number.format(line.tickets)} tickets`.padStart(15),
    `${number.format(line.calls)} calls`.padStart(11),
    ` ${line.state}`,
  ].join(' ');
}

/** The whole run: pages of every read under way, calls spent (and the budget), the time left. */
export function overallLine(snapshot: RunProgressSnapshot, labelWidth: number, budget: string | null): string {
  const waiting = snapshot.listsWaiting > 0 ? ` (+${snapshot.listsWaiting} list(s) not begun)` : '';
  const calls = `${number.format(snapshot.calls)} calls${budget ? ` (budget ${budget})` : ''}`;
  const eta = snapshot.etaSeconds === null ? 'ETA …' : `ETA ${duration(snapshot.etaSeconds)}`;
  return [
    'all lists'.padEnd(labelWidth),
    bar(snapshot.pagesDone, snapshot.pagesExpected),
    `${number.format(snapshot.pagesDone)}/${number.format(snapshot.pagesExpected)} pages${waiting}`,
    `· ${calls} · ${eta}`,
  ].join(' ');
}

/** Where no display is redrawn: one line for a list that ended. */
export function endedListLine(line: ListProgressLine): string {
  return `${line.label}: ${line.state}, ${pages(line)}, ${number.format(line.tickets)} tickets, ${number.format(line.calls)} calls`;
}

export function labelWidth(lines: readonly Pick<ListProgressLine, 'label'>[]): number {
  return Math.min(48, Math.max('all lists'.length, ...lines.map((l) => l.label.length)));
}
