import { parseArgs } from 'node:util';
import { MAX_GENERATED_PER_LIST } from '../sim/ticket-generator.js';

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

/** `--scale`: one list per size, each synced into a fresh database by a child process. */
export interface ScaleOptions {
  /** Tickets in the list, one run per size, in this order. */
  readonly sizes: readonly number[];
  readonly pageSize: number;
  readonly concurrency: number;
  /** A server where the bench may create and drop databases; unset: an embedded one. */
  readonly databaseUrl: string | undefined;
  /** V8's old-space limit for each size's sync process (`--max-old-space-size`); unset: V8's default. */
  readonly heapMb: number | undefined;
}

/** `--scale-one` (internal, run by `--scale`): one sync of one size, one JSON line out. */
export interface ScaleOneOptions {
  readonly size: number;
  readonly pageSize: number;
  readonly concurrency: number;
  /** The fresh, migrated database to sync into. */
  readonly databaseUrl: string;
  /** The simulator serving the list. */
  readonly baseUrl: string;
}

/** `--aged`: the status paths and a sync on a fresh database and on one with years of history. */
export interface AgedOptions {
  /** Days of one-minute runs seeded into the aged database. */
  readonly days: number;
  readonly ticketsPerList: number;
  /** Measured calls per read (the median is reported). */
  readonly repeat: number;
  /** Measured runs of each command started as a process. */
  readonly processRepeat: number;
}

export type BenchMode =
  | { readonly kind: 'throughput'; readonly options: BenchOptions }
  | { readonly kind: 'aged'; readonly options: AgedOptions }
  | { readonly kind: 'scale'; readonly options: ScaleOptions }
  | { readonly kind: 'scale-one'; readonly options: ScaleOneOptions }
  | { readonly kind: 'cost' };

const DEFAULT_SCALE_SIZES: readonly number[] = [10_000, 100_000, 1_000_000];

const USAGE = `npm run bench -- [--tickets N] [--segments N] [--page-size N] [--latency MS] [--rate PER_MIN]
                    [--concurrency N] [--load-rows N] [--naive-sample N] [--quick]
npm run bench -- --scale [--scale-sizes N,N,...] [--database-url URL] [--heap-mb N] [--page-size N] [--concurrency N]
npm run bench -- --cost
npm run bench -- --aged [--days N]`;

/** Options of the throughput bench that the scale mode does not take: it fixes them. */
const THROUGHPUT_ONLY = ['tickets', 'segments', 'latency', 'rate', 'load-rows', 'naive-sample', 'quick'] as const;

function usageError(message: string): Error {
  return new Error(`${message}\n${USAGE}`);
}

function positive(name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw usageError(`--${name} expects an integer ${range}, got "${value}"`);
  }
  return n;
}

function scaleSizes(value: string | undefined): number[] {
  if (value === undefined) return [...DEFAULT_SCALE_SIZES];
  // Each size is one simulated list, and the simulator generates at most this many per list.
  return value.split(',').map((part) => positive('scale-sizes', part.trim(), 0, 1, MAX_GENERATED_PER_LIST));
}

function postgresUrl(name: string, value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'postgres:' && url?.protocol !== 'postgresql:') {
    throw usageError(`--${name} expects a postgres:// or postgresql:// URL`);
  }
  return value;
}

export function parseBenchMode(argv: string[]): BenchMode {
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
      scale: { type: 'boolean' },
      'scale-sizes': { type: 'string' },
      'database-url': { type: 'string' },
      'heap-mb': { type: 'string' },
      'scale-one': { type: 'string' },
      'base-url': { type: 'string' },
      cost: { type: 'boolean' },
      aged: { type: 'boolean' },
      days: { type: 'string' },
    },
  });
  if (values.aged === true) {
    const misplaced = Object.keys(values).find((name) => name !== 'aged' && name !== 'days');
    if (misplaced) throw usageError(`--${misplaced} does not apply to --aged (its lists and schedule are fixed)`);
    return {
      kind: 'aged',
      options: { days: positive('days', values.days, 730, 1, 3_650), ticketsPerList: 200, repeat: 15, processRepeat: 5 },
    };
  }
  if (values.days !== undefined) throw usageError('--days needs --aged');
  if (values.cost === true) {
    const misplaced = Object.keys(values).find((name) => name !== 'cost');
    if (misplaced) throw usageError(`--${misplaced} does not apply to --cost (its accounts and page size are fixed)`);
    return { kind: 'cost' };
  }
  const pageSize = positive('page-size', values['page-size'], 100);
  const concurrency = positive('concurrency', values.concurrency, 4);
  const scaling = values.scale === true || values['scale-one'] !== undefined;
  if (scaling) {
    const misplaced = THROUGHPUT_ONLY.find((name) => values[name] !== undefined);
    if (misplaced) throw usageError(`--${misplaced} does not apply to --scale (one list, no latency, no rate limit)`);
  } else {
    const misplaced = (['scale-sizes', 'database-url', 'base-url', 'heap-mb'] as const).find(
      (name) => values[name] !== undefined,
    );
    if (misplaced) throw usageError(`--${misplaced} needs --scale`);
  }
  const databaseUrl = values['database-url'] === undefined ? undefined : postgresUrl('database-url', values['database-url']);

  if (values['scale-one'] !== undefined) {
    if (databaseUrl === undefined || values['base-url'] === undefined)
      throw usageError('--scale-one needs --database-url and --base-url');
    const size = positive('scale-one', values['scale-one'], 0, 1, MAX_GENERATED_PER_LIST);
    return { kind: 'scale-one', options: { size, pageSize, concurrency, databaseUrl, baseUrl: values['base-url'] } };
  }
  if (values.scale === true) {
    if (values['base-url'] !== undefined) throw usageError('--base-url is internal to --scale-one');
    const heapMb = values['heap-mb'] === undefined ? undefined : positive('heap-mb', values['heap-mb'], 0, 64);
    return { kind: 'scale', options: { sizes: scaleSizes(values['scale-sizes']), pageSize, concurrency, databaseUrl, heapMb } };
  }

  const quick = values.quick === true;
  const tickets = positive('tickets', values.tickets, quick ? 10_000 : 100_000);
  return {
    kind: 'throughput',
    options: {
      tickets,
      segments: positive('segments', values.segments, quick ? 2 : 4),
      pageSize,
      latencyMs: positive('latency', values.latency, 0, 0),
      ratePerMinute: positive('rate', values.rate, 0, 0),
      concurrency,
      loadRows: positive('load-rows', values['load-rows'], quick ? 5_000 : 50_000),
      naiveSample: positive('naive-sample', values['naive-sample'], quick ? 300 : 2_000),
      quick,
    },
  };
}
