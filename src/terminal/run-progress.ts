import type { ListOutcome } from '../lists/outcomes.js';
import { listIdentity, type ListId } from '../lists/list.js';
import type { ListPhase } from '../sync/run-observer.js';

export type ListState = 'waiting' | ListPhase | 'done' | 'partial' | 'deferred' | 'failed' | 'skipped';

/** One list as the display shows it. */
export interface ListProgressLine {
  readonly label: string;
  readonly state: ListState;
  /** Pages of the current read (or, once ended, of the list's last read) taken in so far. */
  readonly pagesRead: number;
  /** Pages the server announced for that read (totalItems at its page size); null before page 1. */
  readonly pagesAnnounced: number | null;
  readonly tickets: number;
  readonly calls: number;
}

export interface RunProgressSnapshot {
  readonly lists: readonly ListProgressLine[];
  readonly pagesDone: number;
  /** Pages done plus those still to read of every read under way (lists not begun are unknown). */
  readonly pagesExpected: number;
  readonly listsWaiting: number;
  readonly calls: number;
  /** Seconds until every read under way is done; null while nothing is known. */
  readonly etaSeconds: number | null;
}

interface ListTrack {
  label: string;
  state: ListState;
  pagesDone: number;
  phaseStart: number;
  phasePages: number | null;
  tickets: number;
  calls: number;
}

const END_STATE: Record<ListOutcome, ListState> = {
  running: 'reading',
  succeeded: 'done',
  partial: 'partial',
  failed: 'failed',
  skipped: 'skipped',
  aborted: 'failed',
};

/**
 * Where a run stands, from the events of the run and of the API client: pages per list
 * against what the server announced, calls spent, and the time left. The ETA is the
 * slower of the rate limit's pace and the pace measured so far over the pages still to
 * read; it knows only reads under way (a list not begun has announced nothing yet).
 */
export class RunProgress {
  private readonly lists = new Map<string, ListTrack>();
  private calls = 0;
  private firstPageAt: number | null = null;
  private pagesSinceFirst = 0;

  constructor(
    lists: ReadonlyArray<ListId & { readonly label: string }>,
    private readonly ratePerMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const list of lists) {
      this.lists.set(listIdentity(list), {
        label: list.label,
        state: 'waiting',
        pagesDone: 0,
        phaseStart: 0,
        phasePages: null,
        tickets: 0,
        calls: 0,
      });
    }
  }

  phase(list: ListId, phase: ListPhase): void {
    const track = this.track(list);
    track.state = phase;
    track.phaseStart = track.pagesDone;
    track.phasePages = null;
  }

  page(list: ListId, event: { totalPages: number; items: number; calls: number }): void {
    const track = this.track(list);
    track.pagesDone += 1;
    track.calls += event.calls;
    if (track.state !== 'verifying') track.tickets += event.items;
    // A probe reads the head of a list: the whole list's pages are not what it will read.
    if (track.state !== 'probing') track.phasePages = Math.max(event.totalPages, track.pagesDone - track.phaseStart);
    if (this.firstPageAt === null) this.firstPageAt = this.now();
    else this.pagesSinceFirst += 1;
  }

  /** A request sent to the API (each attempt is a call). */
  callSent(): void {
    this.calls += 1;
  }

  end(list: ListId, outcome: ListOutcome, deferred: boolean): void {
    const track = this.track(list);
    track.state = deferred ? 'deferred' : END_STATE[outcome];
  }

  snapshot(): RunProgressSnapshot {
    let pagesDone = 0;
    let remaining = 0;
    let waiting = 0;
    const lists = [...this.lists.values()].map((t): ListProgressLine => {
      pagesDone += t.pagesDone;
      const read = t.pagesDone - t.phaseStart;
      const active = t.state === 'reading' || t.state === 'verifying' || t.state === 'probing';
      if (t.state === 'waiting') waiting += 1;
      if (active && t.phasePages !== null) remaining += Math.max(0, t.phasePages - read);
      return {
        label: t.label,
        state: t.state,
        pagesRead: read,
        pagesAnnounced: t.phasePages,
        tickets: t.tickets,
        calls: t.calls,
      };
    });
    return {
      lists,
      pagesDone,
      pagesExpected: pagesDone + remaining,
      listsWaiting: waiting,
      calls: this.calls,
      etaSeconds: this.eta(remaining, waiting),
    };
  }

  private eta(remaining: number, waiting: number): number | null {
    if (remaining === 0) return waiting > 0 || this.firstPageAt === null ? null : 0;
    const byRate = (remaining * 60) / this.ratePerMinute;
    if (this.firstPageAt === null || this.pagesSinceFirst < 5) return byRate;
    const secondsPerPage = (this.now() - this.firstPageAt) / 1000 / this.pagesSinceFirst;
    return Math.max(byRate, remaining * secondsPerPage);
  }

  private track(list: ListId): ListTrack {
    const key = listIdentity(list);
    let track = this.lists.get(key);
    if (!track) {
      // A list the display was not told of (a selection the run widened): shown all the same.
      track = { label: key, state: 'waiting', pagesDone: 0, phaseStart: 0, phasePages: null, tickets: 0, calls: 0 };
      this.lists.set(key, track);
    }
    return track;
  }
}
