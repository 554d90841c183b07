import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { ApiBudget } from '../budget/api-budget.js';
import { keyFingerprint } from '../budget/call-ledger.js';
import { GateChain } from '../budget/shared-limiter.js';
import { loadConfig } from '../config/config.js';
import { freePort, startThrowawayPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { createDb } from '../db/prisma.js';
import { readListStates } from '../db/sql/list-state.js';
import { listsFor, type ListId } from '../lists/list.js';
import { PAGE_RUNS } from '../observability/status-page.js';
import { readStatusReport } from '../observability/status-report.js';
import { PROJECT_ROOT } from '../project-root.js';
import { QuestionProClient } from '../questionpro/client.js';
import { SlidingWindowLimiter } from '../questionpro/rate-limiter.js';
import { pruneHistory } from '../runs/retention.js';
import { QuestionProSimulator } from '../sim/server.js';
import { runSync } from '../sync/run-sync.js';
import { seedAgedHistory } from './aged-seed.js';
import type { AgedOptions } from './options.js';

/**
 * `--aged`: what the status paths cost on years of history. Two databases, one fresh and
 * one seeded with `days` of one-minute runs for six lists; on each, the worker's first
 * run, then every read the worker and `status` make, measured the same way: the list
 * state ("last success"), v_sync_health, /readyz, /metrics, the page, `status --json`
 * and one sync against the simulator. Retention is off (RETENTION_DAYS=0) while measuring,
 * so the aged database keeps its whole history; one prune is measured at the end.
 */

const KEY = 'bench-aged-key';
const SEGMENTS = [2_001, 2_002, 2_003];
const STATUSES = [0, 1];
const LISTS: ListId[] = SEGMENTS.flatMap((segmentId) => STATUSES.map((status) => ({ segmentId, status })));
const BIN = path.join(PROJECT_ROOT, 'bin', 'detractor-sync.mjs');

export interface AgedRow {
  readonly measure: string;
  readonly fresh_ms: number;
  readonly aged_ms: number;
  readonly ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median wall time of `times` calls of `work`, after one unmeasured warm-up call. */
async function timed(times: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return Math.round(median(samples) * 10) / 10;
}

function cliEnv(databaseUrl: string, baseUrl: string, stateFile: string, port = 0): NodeJS.ProcessEnv {
  return {
    ...process.env,
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: baseUrl,
    SYNC_SEGMENTS: SEGMENTS.join(','),
    SYNC_STATUSES: STATUSES.join(','),
    SYNC_OPEN_STATUSES: '0',
    SYNC_CRON: '0 0 1 1 *',
    DATABASE_URL: databaseUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    RETENTION_DAYS: '0',
    WORKER_STATE_FILE: stateFile,
    LOG_LEVEL: 'warn',
  };
}

/** Runs the built CLI to its end; throws on a non-zero exit. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited ${code}: ${stderr}`))));
  });
}

async function get(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

/** The worker with its first run done (its /readyz judges the lists), and its endpoint. */
async function startWorker(env: NodeJS.ProcessEnv, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let waited = 0; ; waited += 200) {
    if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode} before its first run ended`);
    if (waited > 300_000) {
      await stop();
      throw new Error("the worker's first run did not end within 5 minutes");
    }
    const ready = await fetch(`${url}/readyz`)
      .then((r) => r.json() as Promise<{ lists?: unknown[] }>)
      .catch(() => undefined);
    if (ready?.lists?.length) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Measures = Record<string, number>;

async function measure(databaseUrl: string, baseUrl: string, options: AgedOptions, say: (s: string) => void): Promise<Measures> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-aged-'));
  const port = await freePort();
  const env = cliEnv(databaseUrl, baseUrl, path.join(scratch, 'worker.json'), port);
  const out: Measures = {};
  try {
    const started = performance.now();
    const worker = await startWorker(env, port);
    out['worker first run (start to ready)'] = Math.round(performance.now() - started);
    say(`  worker's first run done in ${out['worker first run (start to ready)']} ms`);
    try {
      const db = createDb(databaseUrl, { max: 2 });
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        out['last success read (sync_lists)'] = await timed(options.repeat, () => readListStates(db));
        out['v_sync_health'] = await timed(options.repeat, () => client.query('SELECT * FROM v_sync_health'));
        const period = { period: 'month' as const, periodStartDay: 1, timezone: 'UTC' };
        out['status report (in process)'] = await timed(options.repeat, () =>
          readStatusReport(db, { runs: PAGE_RUNS, apiKey: KEY, budget: undefined, period }),
        );
      } finally {
        await client.end();
        await db.$disconnect();
      }
      out['GET /readyz'] = await timed(options.repeat, () => get(`${worker.url}/readyz`));
      out['GET /metrics'] = await timed(options.repeat, () => get(`${worker.url}/metrics`));
      out['GET / (status page)'] = await timed(options.repeat, () => get(`${worker.url}/`));
    } finally {
      await worker.stop();
    }
    const cli = cliEnv(databaseUrl, baseUrl, path.join(scratch, 'cli.json'));
    // The sync as the worker runs it (planned within the budget, gated by the ledger,
    // recorded), without a process start.
    const config = loadConfig({ ...cli, LOG_LEVEL: 'silent' });
    const quiet = pino({ level: 'silent' });
    const db = createDb(databaseUrl, { max: 4 });
    const budget = new ApiBudget(db, config, quiet);
    const gate = new GateChain([new SlidingWindowLimiter(config.questionpro.rateLimitPerMinute), budget.gate]);
    const client = new QuestionProClient({ ...config.questionpro, retry: config.retry }, quiet, gate, budget.observer);
    try {
      const lists = listsFor(SEGMENTS, STATUSES, config.questionpro.pageSize);
      out['one sync (in process)'] = await timed(5, async () => {
        const plan = await budget.plan(lists);
        const report = await runSync(
          { db, databaseUrl, source: client, log: quiet, concurrency: config.sync.concurrency },
          { trigger: 'bench', lists: plan.lists, deferred: plan.deferred, pool: plan.pool },
        );
        if (report.status !== 'succeeded') throw new Error(`bench sync ended ${report.status}: ${report.error ?? ''}`);
      });
    } finally {
      await budget.close();
      await db.$disconnect();
    }
    // As a person runs them: a process each, its start included (noisy on a loaded machine).
    out['status --json (process)'] = await timed(options.processRepeat, () => runCli(['status', '--json'], cli));
    out['one sync (process)'] = await timed(options.processRepeat, () => runCli(['sync'], cli));
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function agedBench(options: AgedOptions): Promise<{ rows: AgedRow[]; summary: Record<string, unknown> }> {
  const say = (line: string) => console.error(line);
  const log = pino({ level: 'silent' });
  const server = await startThrowawayPostgres({ purpose: 'bench-aged' });
  const sim = await QuestionProSimulator.start({
    apiKey: KEY,
    lists: LISTS.map((l) => ({ ...l, count: options.ticketsPerList })),
  });
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    const urlOf = (name: string) => Object.assign(new URL(server.url), { pathname: `/${name}` }).toString();
    for (const name of ['fresh', 'aged']) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    for (const name of ['fresh', 'aged']) await migrate(urlOf(name), log);

    say(`seeding ${options.days} days of one-minute runs for ${LISTS.length} lists ...`);
    const seedStarted = performance.now();
    const aged = new pg.Client({ connectionString: urlOf('aged') });
    await aged.connect();
    const sizes = await (async () => {
      try {
        await seedAgedHistory(aged, {
          lists: LISTS,
          days: options.days,
          fingerprint: keyFingerprint(KEY),
          onProgress: (p) => say(`  ${p.daysDone}/${p.days} days, ${p.runs} runs`),
        });
        const { rows } = await aged.query<{ runs: string; lists: string; ledger: string }>(
          `SELECT (SELECT count(*) FROM sync_runs) AS runs, (SELECT count(*) FROM sync_run_segments) AS lists,
                  (SELECT count(*) FROM api_call_ledger) AS ledger`,
        );
        return rows[0]!;
      } finally {
        await aged.end();
      }
    })();
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    say(`seeded in ${seedSeconds} s: ${sizes.runs} runs, ${sizes.lists} list records, ${sizes.ledger} ledger rows`);

    say('fresh database:');
    const fresh = await measure(urlOf('fresh'), sim.baseUrl, options, say);
    say('aged database:');
    const old = await measure(urlOf('aged'), sim.baseUrl, options, say);

    // What retention costs after a run on this history: one prune, its batch limit.
    const pruneStarted = performance.now();
    const pruned = await pruneHistory(urlOf('aged'), log, 90);
    const pruneMs = Math.round(performance.now() - pruneStarted);

    const rows = Object.keys(fresh).map((measure) => ({
      measure,
      fresh_ms: fresh[measure]!,
      aged_ms: old[measure]!,
      ratio: Math.round((old[measure]! / Math.max(0.1, fresh[measure]!)) * 100) / 100,
    }));
    return {
      rows,
      summary: {
        days: options.days,
        lists: LISTS.length,
        aged_runs: Number(sizes.runs),
        aged_list_records: Number(sizes.lists),
        aged_ledger_rows: Number(sizes.ledger),
        seed_s: seedSeconds,
        prune_ms: pruneMs,
        pruned_runs: pruned.runs,
        pruned_list_records: pruned.lists,
        prune_batches: pruned.batches,
        load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
        cpus: os.cpus().length,
        rows,
      },
    };
  } finally {
    await sim.close();
    await server.stop();
  }
}
