import { Writable } from 'node:stream';

/**
 * Where a terminal's log lines go: stderr, or above a progress display while one is
 * drawn. The logger is made once, before any display; the router follows the display.
 */
export class LogRouter extends Writable {
  private target: Writable;

  constructor(private readonly fallback: Writable = process.stderr) {
    super();
    this.target = fallback;
  }

  /** Sends lines to `target` until reset(). */
  to(target: Writable): void {
    this.target = target;
  }

  reset(): void {
    this.target = this.fallback;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.target.write(chunk, done);
  }
}
