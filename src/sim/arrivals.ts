import type { IncomingMessage } from 'node:http';

// How requests arrive at the simulator: counted the moment they are in, bodies read whole.

/** Requests received so far (before any latency), and who waits for a count of them. */
export class ArrivalCounter {
  private received = 0;
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  get count(): number {
    return this.received;
  }

  add(): void {
    this.received += 1;
    for (const waiter of this.waiters.filter((w) => w.count <= this.received)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  reached(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
