import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { freePort } from '../../src/db/embedded-postgres.js';
import { QuestionProSimulator, type SimulatorOptions } from '../../src/sim/server.js';
import { startCli, type CliProcess } from './cli-process.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** The built worker as a child process, with its status endpoint on 127.0.0.1. */
export interface WorkerUnderTest extends CliProcess {
  /** `http://127.0.0.1:<port>`: the status page, /healthz, /readyz and /metrics. */
  readonly url: string;
  /** Sends SIGTERM unless it has exited; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface WorkerOptions {
  readonly apiKey: string;
  /** The API: a simulator's base URL, or one where nothing answers. */
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly segments: readonly number[];
  /** Added to the defaults below, or replacing them (undefined removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Starts the built worker (`npm start`) against an API and a database and resolves once
 * its status endpoint listens, on a port found free just now (never a fixed one). By
 * default it reads pages of 10, a failing call is retried once after 10 ms, and its
 * first run starts at once while the schedule waits for a year (set SYNC_CRON or
 * SYNC_RUN_ON_START=false to change that).
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerUnderTest> {
  const port = await freePort();
  const cli = startCli(['worker'], {
    QUESTIONPRO_API_KEY: options.apiKey,
    QUESTIONPRO_BASE_URL: options.baseUrl,
    SYNC_SEGMENTS: options.segments.join(','),
    SYNC_PAGE_SIZE: '10',
    SYNC_CRON: '0 0 1 1 *',
    RETRY_ATTEMPTS: '1',
    RETRY_MIN_DELAY_MS: '10',
    DATABASE_URL: options.databaseUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    ...options.env,
  });
  const stop = async () => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
    return cli.exited;
  };
  try {
    await cli.waitForLine((l) => l['msg'] === 'status endpoint listening');
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...cli, url: `http://127.0.0.1:${port}`, stop };
}

export interface WorkerPerTest {
  /** The describe block's simulator. */
  readonly sim: QuestionProSimulator;
  /** The test's database, made by its first start(). */
  readonly tdb: TestDatabase;
  /** Starts the test's worker against the simulator (every segment of its lists) and the test's database. */
  start(env?: Readonly<Record<string, string | undefined>>): Promise<WorkerUnderTest>;
}

/**
 * For a describe block whose tests each run a worker: one simulator with these lists for
 * the block, and for each test a fresh database and a worker, stopped after the test,
 * when the simulator's faults, onRequest hook and latency are cleared too.
 */
export function workerPerTest(options: { apiKey: string; lists: NonNullable<SimulatorOptions['lists']> }): WorkerPerTest {
  let sim: QuestionProSimulator | undefined;
  let tdb: TestDatabase | undefined;
  let worker: WorkerUnderTest | undefined;
  beforeAll(async () => {
    sim = await QuestionProSimulator.start(options);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await tdb?.close();
    tdb = undefined;
    sim?.clearFaults();
    sim?.onRequest(undefined);
    sim?.setLatency(0);
  });
  afterAll(async () => sim?.close());
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what} yet`);
    return value;
  };
  return {
    get sim() {
      return started(sim, 'simulator: it starts before the first test');
    },
    get tdb() {
      return started(tdb, 'database: start() makes it');
    },
    async start(env) {
      tdb ??= await createTestDatabase();
      const segments = [...new Set(options.lists.map((l) => l.segmentId))];
      worker = await startWorker({
        apiKey: options.apiKey,
        baseUrl: started(sim, 'simulator').baseUrl,
        databaseUrl: tdb.url,
        segments,
        env,
      });
      return worker;
    },
  };
}

/** A database URL on a port found free just now: nothing answers there. */
export async function unreachableDatabaseUrl(): Promise<string> {
  return `postgresql://postgres:postgres@127.0.0.1:${await freePort()}/nowhere`;
}

/** An IANA zone where it is about noon now: a daily API budget period does not end during the test. */
export function zoneAtNoon(): string {
  const offset = Math.max(-12, Math.min(12, 12 - new Date().getUTCHours()));
  // Etc/GMT zones count west as positive: Etc/GMT-5 is UTC+5.
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
