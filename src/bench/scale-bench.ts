import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { PROJECT_ROOT } from '../project-root.js';
import type { ScaleOptions } from './options.js';
import { openScaleServer } from './scale-databases.js';
import { parseScaleOneLine, SCALE_API_KEY, SCALE_SEGMENT, type ScaleOneFigures } from './scale-one.js';
import { startSimProcess } from './sim-process.js';

/**
 * `npm run bench -- --scale`: does the sync stay linear in time and flat in memory as
 * one list grows 100-fold? Per size, the simulator serves one list (its own process),
 * a fresh database is created and migrated, and a child process runs the real sync
 * (both passes) with no rate limit and no latency. Closures and per-list statements
 * run on a table the same sync has just filled, before anything analyzed it: a plan
 * chosen for an "empty" table must not turn quadratic at 1M (PostgreSQL 15's planner
 * is the risky one).
 */

/** Per-ticket time at the largest size must stay within this factor of the smallest. */
const PER_TICKET_TARGET_RATIO = 1.3;

export interface ScaleRow {
  readonly tickets: number;
  /** Pages of the list (one pass). */
  readonly pages: number;
  /** Pages fetched: first pass plus confirming pass. */
  readonly api_calls: number;
  readonly wall_s: number;
  readonly us_per_ticket: number;
  readonly peak_rss_mb: number;
}

export interface ScaleResult {
  readonly rows: readonly ScaleRow[];
  readonly summary: Record<string, unknown>;
}

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'bench', 'main.js');

/** One size's sync, in a child process of its own (see scale-one.ts). */
async function syncInChild(size: number, databaseUrl: string, baseUrl: string, options: ScaleOptions): Promise<ScaleOneFigures> {
  const args = [
    '--scale-one',
    String(size),
    '--database-url',
    databaseUrl,
    '--base-url',
    baseUrl,
    '--page-size',
    String(options.pageSize),
    '--concurrency',
    String(options.concurrency),
  ];
  const heap = options.heapMb === undefined ? [] : [`--max-old-space-size=${options.heapMb}`];
  const child = spawn(process.execPath, [...heap, MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += String(chunk)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const figures = parseScaleOneLine(out);
  if (code !== 0 || figures === undefined)
    throw new Error(`scale sync of ${size} tickets: child exited with ${code}, no result line`);
  return figures;
}

/** 10000 -> "10k", 1000000 -> "1m": the sizes named in the ratio keys. */
function sizeLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function scaleBench(options: ScaleOptions): Promise<ScaleResult> {
  const started = performance.now();
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const server = await openScaleServer(options.databaseUrl, log);
  const rows: ScaleRow[] = [];
  try {
    for (const [index, size] of options.sizes.entries()) {
      // Generating the list takes the simulator a while at 1M; it is not measured.
      const sim = await startSimProcess({
        SIM_API_KEY: SCALE_API_KEY,
        SIM_SEGMENTS: String(SCALE_SEGMENT),
        SIM_TICKETS: String(size),
        SIM_LATENCY_MS: '0',
        SIM_RATE_LIMIT: '0',
      });
      const name = `detractor_sync_scale_${process.pid}_${index}_${size}`;
      try {
        const databaseUrl = await server.createDatabase(name);
        const figures = await syncInChild(size, databaseUrl, sim.baseUrl, options);
        const row: ScaleRow = {
          tickets: figures.tickets,
          pages: Math.ceil(figures.tickets / options.pageSize),
          api_calls: figures.api_calls,
          wall_s: figures.wall_s,
          us_per_ticket: round((figures.wall_s * 1e6) / figures.tickets, 1),
          peak_rss_mb: figures.peak_rss_mb,
        };
        rows.push(row);
        process.stderr.write(
          `scale: ${row.tickets} tickets in ${row.wall_s} s, ${row.us_per_ticket} µs/ticket, peak RSS ${row.peak_rss_mb} MB\n`,
        );
      } finally {
        await server
          .dropDatabase(name)
          .catch((error: unknown) => log.warn({ err: error, database: name }, 'scale database not dropped'));
        await sim.stop();
      }
    }
  } finally {
    await server.stop();
  }
  return { rows, summary: summarize(rows, options, server, (performance.now() - started) / 1000) };
}

function summarize(
  rows: readonly ScaleRow[],
  options: ScaleOptions,
  server: { version: string; kind: string },
  totalSeconds: number,
): Record<string, unknown> {
  const bySize = [...rows].sort((a, b) => a.tickets - b.tickets);
  const smallest = bySize[0]!;
  const largest = bySize[bySize.length - 1]!;
  const vs = `${sizeLabel(largest.tickets)}_vs_${sizeLabel(smallest.tickets)}`;
  const perTicketRatio = round(largest.us_per_ticket / smallest.us_per_ticket, 3);
  return {
    mode: 'scale',
    postgres: server.version,
    server: server.kind,
    page_size: options.pageSize,
    concurrency: options.concurrency,
    sizes: rows,
    [`per_ticket_ratio_${vs}`]: perTicketRatio,
    [`rss_ratio_${vs}`]: round(largest.peak_rss_mb / smallest.peak_rss_mb, 3),
    rss_growth_mb: round(largest.peak_rss_mb - smallest.peak_rss_mb, 1),
    per_ticket_target_ratio: PER_TICKET_TARGET_RATIO,
    per_ticket_target_met: perTicketRatio <= PER_TICKET_TARGET_RATIO,
    total_s: round(totalSeconds, 1),
  };
}
