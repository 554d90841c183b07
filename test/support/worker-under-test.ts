import { freePort } from '../../src/db/embedded-postgres.js';
import { startCli, type CliProcess } from './cli-process.js';

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
