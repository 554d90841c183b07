import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly tickets: number;
  readonly segments: number;
  readonly pageSize: number;
  /** Simulated API latency per request, ms. */
  readonly latencyMs: number;
  /** API calls per minute, enforced by the simulator and configured in the client; 0: none. */
  readonly ratePerMinute: number;
  readonly concurrency: number;
  /** Rows for the writer-only measurements (load, ceiling). */
  readonly loadRows: number;
  /** Rows for the Prisma upsert-per-row baseline (slow: a sample). */
  readonly naiveSample: number;
  readonly quick: boolean;
}

const USAGE = `npm run bench -- [--tickets N] [--segments N] [--page-size N] [--latency MS] [--rate PER_MIN]
                    [--concurrency N] [--load-rows N] [--naive-sample N] [--quick]`;

function positive(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} expects an integer >= ${min}, got "${value}"\n${USAGE}`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      tickets: { type: 'string' },
      segments: { type: 'string' },
      'page-size': { type: 'string' },
      latency: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      'load-rows': { type: 'string' },
      'naive-sample': { type: 'string' },
      quick: { type: 'boolean' },
    },
  });
  const quick = values.quick === true;
  const tickets = positive('tickets', values.tickets, quick ? 10_000 : 100_000);
  return {
    tickets,
    segments: positive('segments', values.segments, quick ? 2 : 4),
    pageSize: positive('page-size', values['page-size'], 100),
    latencyMs: positive('latency', values.latency, 0, 0),
    ratePerMinute: positive('rate', values.rate, 0, 0),
    concurrency: positive('concurrency', values.concurrency, 4),
    loadRows: positive('load-rows', values['load-rows'], quick ? 5_000 : 50_000),
    naiveSample: positive('naive-sample', values['naive-sample'], quick ? 300 : 2_000),
    quick,
  };
}
