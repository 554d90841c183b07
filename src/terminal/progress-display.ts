import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { ListId } from '../lists/list.js';
import type { ClientObserver } from '../questionpro/client.js';
import type { RunObserver } from '../sync/run-observer.js';
import { endedListLine, labelWidth, listLine, overallLine } from './progress-text.js';
import { RunProgress } from './run-progress.js';

export interface ProgressDisplayOptions {
  readonly mode: 'live' | 'lines';
  readonly lists: ReadonlyArray<ListId & { readonly label: string }>;
  readonly ratePerMinute: number;
  /** "20,000 a month", when API_CALL_BUDGET is set. */
  readonly budget: string | null;
  /** Where the display and the log lines go (stderr). */
  readonly stream: NodeJS.WriteStream;
}

/**
 * A run's progress in a terminal, fed by the run's and the client's observers. `live`
 * redraws a line per list and an overall line in place (cli-progress); log lines written
 * to `logs` print above it, never through it. `lines` prints a line per list as it ends.
 * `stop()` leaves the final state on screen, for the summary table to follow.
 */
export class ProgressDisplay {
  readonly run: RunObserver;
  readonly client: ClientObserver;
  /** pino-pretty writes here: above a live display, straight out otherwise. */
  readonly logs: Writable;
  private readonly progress: RunProgress;
  private readonly multibar: cliProgress.MultiBar | null;
  private readonly bars: cliProgress.SingleBar[] = [];
  private readonly width: number;
  private stopped = false;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.progress = new RunProgress(options.lists, options.ratePerMinute);
    this.width = labelWidth(options.lists);
    this.multibar =
      options.mode === 'live'
        ? new cliProgress.MultiBar({
            stream: options.stream,
            format: (_options, _params, payload: { text: string }) => payload.text,
            fps: 5,
            hideCursor: true,
            // Lines longer than the terminal are cut, so the redraw always knows its height.
            linewrap: true,
            clearOnComplete: false,
            gracefulExit: false,
          })
        : null;
    const write = (text: string) => {
      if (this.multibar && !this.stopped) this.multibar.log(text);
      else options.stream.write(text);
    };
    this.logs = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        write(chunk.toString());
        done();
      },
    });
    this.run = {
      onListPhase: (e) => this.changed(() => this.progress.phase(e, e.phase)),
      onPage: (e) => this.changed(() => this.progress.page(e, e)),
      onListEnd: (e) =>
        this.changed(() => {
          this.progress.end(e, e.outcome, e.code === 'BUDGET_DEFERRED');
          if (this.options.mode === 'lines') this.printEnded(e);
        }),
    };
    this.client = { onResponse: () => this.changed(() => this.progress.callSent()) };
    if (this.multibar) {
      const snapshot = this.progress.snapshot();
      for (const _ of [...snapshot.lists, null]) this.bars.push(this.multibar.create(1, 0, { text: '' }));
      this.render();
    }
  }

  /** Draws the last state and leaves it on screen; later output goes straight out. */
  stop(): void {
    if (this.stopped) return;
    if (this.multibar) {
      this.render();
      this.multibar.update();
      this.multibar.stop();
    }
    this.stopped = true;
  }

  private changed(apply: () => void): void {
    apply();
    if (!this.stopped) this.render();
  }

  private render(): void {
    if (!this.multibar) return;
    const snapshot = this.progress.snapshot();
    snapshot.lists.forEach((line, i) => this.bars[i]?.update(0, { text: listLine(line, this.width) }));
    this.bars[this.bars.length - 1]?.update(0, { text: overallLine(snapshot, this.width, this.options.budget) });
  }

  private printEnded(list: ListId): void {
    const line = this.progress.snapshot().lists.find((l, i) => i === this.indexOf(list));
    if (line) this.options.stream.write(`${endedListLine(line)}\n`);
  }

  private indexOf(list: ListId): number {
    return this.options.lists.findIndex((l) => l.segmentId === list.segmentId && l.status === list.status);
  }
}
