import pg from 'pg';
import pino from 'pino';
import { startThrowawayPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { createDb } from '../db/prisma.js';
import { QuestionProClient } from '../questionpro/client.js';
import { pages } from '../questionpro/pages.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';
import type { ListMode } from '../budget/planner.js';
import { listsFor } from '../lists/list.js';
import type { RunObserver } from '../sync/run-observer.js';
import { runSync } from '../sync/run-sync.js';
import type { ProgressDisplay } from '../terminal/progress-display.js';
import { agedBench } from './aged-bench.js';
import { benchProgress } from './bench-progress.js';
import { costBench } from './cost-bench.js';
import { parseBenchMode, type BenchOptions } from './options.js';
import { scaleBench } from './scale-bench.js';
import { formatScaleOneLine, runScaleOne } from './scale-one.js';
import { startSimProcess } from './sim-process.js';
import { measureWriter } from './writer-bench.js';

const KEY = 'bench-key';
const TICKET_TABLES = ['detractor_tickets', 'detractor_ticket_segments', 'detractor_ticket_versions'];

/** Rows written (inserted + updated + deleted) to the ticket tables, from PostgreSQL's counters. */
async function rowsWritten(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS n FROM pg_stat_user_tables WHERE relname = ANY($1)`,
      [TICKET_TABLES],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Peak resident memory of this process while `work` runs (the simulator and PostgreSQL run elsewhere). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssMb: Math.round((peak / 2 ** 20) * 10) / 10 };
  } finally {
    clearInterval(timer);
  }
}

async function bench(options: BenchOptions): Promise<Record<string, number | string>> {
  // Silent by default: logging every page would be measured too. LOG_LEVEL=info shows it.
  const log = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const database = await startThrowawayPostgres({ purpose: 'bench' });
  const perList = Math.ceil(options.tickets / options.segments);
  const segments = Array.from({ length: options.segments }, (_, i) => 1_000 + i);
  const sim = await startSimProcess({
    SIM_API_KEY: KEY,
    SIM_SEGMENTS: segments.join(','),
    SIM_TICKETS: String(perList),
    SIM_LATENCY_MS: String(options.latencyMs),
    SIM_RATE_LIMIT: String(options.ratePerMinute),
  });
  try {
    await migrate(database.url, log);
    let tooManyRequests = 0;
    let progress: ProgressDisplay | undefined;
    const limiter = new SlidingWindowLimiter(options.ratePerMinute > 0 ? options.ratePerMinute : 1_000_000);
    const client = new QuestionProClient(
      { baseUrl: sim.baseUrl, apiKey: KEY, timeoutMs: 30_000, retry: { retries: 5, minDelayMs: 200, maxDelayMs: 10_000 } },
      log,
      limiter,
      {
        onResponse: (event) => {
          if (event.status === 429) tooManyRequests += 1;
          progress?.client.onResponse?.(event);
        },
      },
    );
    const lists = listsFor(segments, [0], options.pageSize);

    // The API side alone: every page of every list, nothing written. Skipped under a
    // rate limit: it would use up the window the sync is measured in.
    let apiPagesPerSecond = 0;
    if (options.ratePerMinute === 0) {
      const apiStarted = performance.now();
      let apiPages = 0;
      for (const list of lists)
        for await (const _page of pages(client, list, { concurrency: options.concurrency })) apiPages += 1;
      apiPagesPerSecond = Math.round(apiPages / ((performance.now() - apiStarted) / 1000));
    }

    // End to end: the real sync path (a first sync verifies every list: two identical
    // reads), then a scheduled tick that finds nothing changed (one read of each list),
    // which must write nothing.
    let db = createDb(database.url);
    const run = (mode: ListMode, observer?: RunObserver) =>
      runSync(
        { db, databaseUrl: database.url, source: client, log, concurrency: options.concurrency, observer },
        { trigger: 'bench', lists: lists.map((l) => ({ ...l, mode })) },
      );
    const started = performance.now();
    progress = benchProgress(lists, options.ratePerMinute);
    const { result: report, peakRssMb } = await withPeakRss(() => run('full', progress?.run)).finally(() => {
      progress?.stop();
      progress = undefined;
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const responses429 = tooManyRequests;
    if (report.status !== 'succeeded') throw new Error(`benchmark sync ended ${report.status}: ${report.error ?? ''}`);
    const pagesFetched = report.lists.reduce((n, l) => n + l.counts.pages, 0);
    const ticketsStored = report.lists.reduce((n, l) => n + l.counts.ticketsSeen, 0);

    // Counters are flushed when backends exit: disconnect, re-sync with a new pool, disconnect.
    await db.$disconnect();
    const before = await rowsWritten(database.url);
    db = createDb(database.url);
    const tick = await run('full');
    await db.$disconnect();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const noopRowsWritten = (await rowsWritten(database.url)) - before;

    db = createDb(database.url);
    const writer = await measureWriter(
      db,
      database.url,
      report.runId,
      Math.min(options.loadRows, options.tickets),
      options.pageSize,
      options.naiveSample,
    );
    await db.$disconnect();

    return {
      tickets: ticketsStored,
      pages: pagesFetched,
      wall_s: round(wallSeconds, 2),
      tickets_per_s: Math.round(ticketsStored / wallSeconds),
      calls_per_ticket: round(report.lists.reduce((n, l) => n + l.counts.apiCalls, 0) / ticketsStored, 4),
      calls_per_unchanged_tick: tick.lists.reduce((n, l) => n + l.counts.apiCalls, 0),
      api_only_pages_per_s: apiPagesPerSecond,
      ...writer,
      load_vs_ceiling: round(writer.load_rows_per_s / writer.ceiling_rows_per_s, 3),
      load_vs_naive: round(writer.load_rows_per_s / writer.naive_rows_per_s, 1),
      rate_bound_s: options.ratePerMinute > 0 ? round(pagesFetched / (options.ratePerMinute / 60), 2) : 0,
      responses_429: responses429,
      peak_rss_mb: peakRssMb,
      id_set_mb: round((ticketsStored * 8) / 2 ** 20, 2),
      noop_rows_written: noopRowsWritten,
      concurrency: options.concurrency,
      latency_ms: options.latencyMs,
      rate_per_min: options.ratePerMinute,
      page_size: options.pageSize,
      segments: options.segments,
    };
  } finally {
    await sim.stop();
    await database.stop();
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Each mode prints a table, then as the last line one JSON object, for scripts and CI.
const mode = parseBenchMode(process.argv.slice(2));
if (mode.kind === 'cost') {
  const { rows, months } = await costBench();
  console.table(rows);
  console.table(
    months.map((m) => ({
      account: m.account,
      calls: m.calls,
      budget: m.budget,
      'new visible within (min, max)': Math.round(m.arrivalMinutes.max),
      'closures recorded within (min, max)': Math.round(m.closureMinutes.max),
      'closures p95 (min)': Math.round(m.closureMinutes.p95),
      'longest unverified (h)': m.maxUnverifiedHours,
      verifications: m.verifications,
    })),
  );
  console.log(JSON.stringify({ rows, months }));
} else if (mode.kind === 'aged') {
  const { rows, summary } = await agedBench(mode.options);
  console.table(rows);
  console.log(JSON.stringify(summary));
} else if (mode.kind === 'scale-one') {
  // A child of --scale: its result line only, read by the parent.
  console.log(formatScaleOneLine(await runScaleOne(mode.options)));
} else if (mode.kind === 'scale') {
  const { rows, summary } = await scaleBench(mode.options);
  console.table(rows);
  console.log(JSON.stringify(summary));
} else {
  const figures = await bench(mode.options);
  console.table(Object.entries(figures).map(([figure, value]) => ({ figure, value })));
  console.log(JSON.stringify(figures));
}
process.exit(0);
