import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { createDb } from '../db/prisma.js';
import { QuestionProClient } from '../questionpro/client.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';
import { listsFor } from '../lists/list.js';
import { runSync } from '../sync/run-sync.js';
import type { ScaleOneOptions } from './options.js';

/**
 * One size of `--scale`, in a process of its own (`main.js --scale-one N ...`), so that
 * its peak RSS is the sync's alone: not the parent's, not an earlier size's heap.
 */

export const SCALE_API_KEY = 'bench-key';
/** The one list of the scale mode: this segment, status 0. */
export const SCALE_SEGMENT = 1_000;
/** The child's result line: `{"scale_one": {...}}`. */
const RESULT_KEY = 'scale_one';

export interface ScaleOneFigures {
  /** Tickets the sync stored (distinct ticket ids of the list). */
  readonly tickets: number;
  /** Pages fetched: the first pass plus the confirming pass. */
  readonly api_calls: number;
  readonly wall_s: number;
  readonly peak_rss_mb: number;
}

/**
 * The resident-memory high-water mark of this process, exact on Linux (VmHWM); undefined
 * elsewhere. Not `process.resourceUsage().maxRSS`: after fork + exec it keeps the peak of
 * the parent the child was forked from (measured: a 40 MB child of a 500 MB parent
 * reports 504 MB).
 */
async function residentHighWaterMb(): Promise<number | undefined> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

export async function runScaleOne(options: ScaleOneOptions): Promise<ScaleOneFigures> {
  // Silent by default: logging every page would be measured too. LOG_LEVEL=info shows it,
  // on stderr (inherited by the parent): stdout carries the result line only.
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }, pino.destination(2));
  // No rate limit: a cap far above the calls of any size keeps the real client path.
  const limiter = new SlidingWindowLimiter(1_000_000);
  const client = new QuestionProClient(
    {
      baseUrl: options.baseUrl,
      apiKey: SCALE_API_KEY,
      timeoutMs: 30_000,
      retry: { retries: 5, minDelayMs: 200, maxDelayMs: 10_000 },
    },
    log,
    limiter,
  );
  const db = createDb(options.databaseUrl);
  // Where VmHWM cannot be read, sample (RSS is released lazily, so a 25 ms period misses little).
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 25);
  try {
    // Warm-up, not timed: Prisma's first query loads its query compiler (~250 ms) and the
    // first request opens the connection and wakes the simulator. A worker pays these
    // once per process, not per sync; left in, they would flatter the large sizes' ratio.
    await db.$queryRaw`SELECT 1`;
    await client.fetchPage({ segmentId: SCALE_SEGMENT, status: 0, page: 1, perPage: 1 });
    const lists = listsFor([SCALE_SEGMENT], [0], options.pageSize);
    const started = performance.now();
    // Default completeness policy: the first pass, then the confirming pass.
    const report = await runSync(
      { db, databaseUrl: options.databaseUrl, source: client, log, concurrency: options.concurrency },
      { trigger: 'bench', lists },
    );
    const wallSeconds = (performance.now() - started) / 1000;
    sampled = Math.max(sampled, process.memoryUsage.rss());
    if (report.status !== 'succeeded')
      throw new Error(`scale sync of ${options.size} ended ${report.status}: ${report.error ?? ''}`);
    const tickets = report.lists.reduce((n, l) => n + l.counts.ticketsSeen, 0);
    if (tickets !== options.size) throw new Error(`scale sync stored ${tickets} tickets, the list has ${options.size}`);
    const peakMb = (await residentHighWaterMb()) ?? sampled / 2 ** 20;
    return {
      tickets,
      api_calls: report.lists.reduce((n, l) => n + l.counts.pages, 0),
      wall_s: Math.round(wallSeconds * 1000) / 1000,
      peak_rss_mb: Math.round(peakMb * 10) / 10,
    };
  } finally {
    clearInterval(sampler);
    await db.$disconnect();
  }
}

export function formatScaleOneLine(figures: ScaleOneFigures): string {
  return JSON.stringify({ [RESULT_KEY]: figures });
}

/** The figures from a child's stdout: its last `{"scale_one": ...}` line. */
export function parseScaleOneLine(stdout: string): ScaleOneFigures | undefined {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.startsWith(`{"${RESULT_KEY}"`)) continue;
    return (JSON.parse(line) as Record<typeof RESULT_KEY, ScaleOneFigures>)[RESULT_KEY];
  }
  return undefined;
}
