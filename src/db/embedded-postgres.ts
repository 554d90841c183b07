import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import { loadEmbeddedPostgres } from './embedded-postgres-loader.js';

export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  /** Preferred port; a free one is taken when it is busy (or when 0 or unset). */
  readonly port?: number;
  readonly database?: string;
  readonly persistent?: boolean;
  readonly log?: Logger;
  /** Extra server settings, e.g. ['-c', 'fsync=off'] for disposable test data. */
  readonly postgresFlags?: readonly string[];
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * As root, the server runs as a `postgres` user, which must be able to enter every
 * folder above its data directory. Where one is private (a clone under /root, say),
 * it gets the traverse bit (o+x, not read) and a warning says so.
 */
async function letPostgresUserIn(dir: string, log: Logger | undefined): Promise<void> {
  await chmod(dir, 0o755);
  for (let parent = path.dirname(dir); path.dirname(parent) !== parent; parent = path.dirname(parent)) {
    const { mode } = await stat(parent);
    if ((mode & 0o001) === 0) {
      await chmod(parent, (mode & 0o7777) | 0o001);
      log?.warn({ folder: parent }, 'made folder traversable (o+x) for the embedded PostgreSQL server user');
    }
  }
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The embedded server another process runs on `dataDir` right now (e.g. `npm run demo --
 * --keep-db`), read from its postmaster.pid: its pid (alive) and port.
 */
export async function runningEmbeddedServer(
  dataDir: string,
  database = 'detractor_sync',
): Promise<{ pid: number; url: string } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(path.resolve(dataDir), 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // a stale file left by a crash: the server is gone
  }
  return { pid, url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}` };
}

/** Whether `dataDir` holds a database cluster: starting a server on a folder without one initialises it. */
export function embeddedClusterExists(dataDir: string): boolean {
  return existsSync(path.join(path.resolve(dataDir), 'PG_VERSION'));
}

/** Best effort (Linux /proc): the process that started a server, e.g. `node … demo --keep-db`. */
async function ownerOf(serverPid: number): Promise<{ pid: number; command: string } | undefined> {
  try {
    const status = await readFile(`/proc/${serverPid}/status`, 'utf8');
    const parent = Number(/^PPid:\s*(\d+)/m.exec(status)?.[1]);
    if (!parent || parent === 1) return undefined;
    const command = (await readFile(`/proc/${parent}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
    return { pid: parent, command };
  } catch {
    return undefined;
  }
}

/**
 * A real PostgreSQL server from the embedded-postgres package, for the demo, tests
 * and `DATABASE_URL`-less runs. Listens on 127.0.0.1 only. A data folder another
 * process's server is using is refused with a message saying so (starting a second
 * server on it would fail with a cryptic error).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const running = await runningEmbeddedServer(dataDir, options.database);
  if (running) {
    const owner = await ownerOf(running.pid);
    // How to stop it: Ctrl-C where it runs stops a demo (or a worker) and its server cleanly.
    const stop = owner
      ? `stop it first (Ctrl-C where it runs, or kill -INT ${owner.pid})`
      : `stop the process that started it first (e.g. Ctrl-C where \`npm run demo -- --keep-db\` or \`--serve\` runs)`;
    throw new SyncError(
      'EMBEDDED_DB_IN_USE',
      `the embedded database in ${dataDir} is in use by another process (its server pid ${running.pid}, ` +
        `started by ${owner ? `pid ${owner.pid}: ${owner.command}` : 'another process'}): ` +
        `${stop}, or set DATABASE_URL to a server both can use`,
      { fatal: true },
    );
  }
  const port = options.port && (await isPortFree(options.port)) ? options.port : await freePort();
  const database = options.database ?? 'detractor_sync';
  const log = options.log;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: options.persistent ?? true,
    // Running as root (containers, CI) needs a dedicated OS user for initdb.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
    onLog: (message: unknown) => log?.debug({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (message: unknown) => log?.debug({ postgres: String(message).trim() }, 'embedded postgres'),
  });
  if (!embeddedClusterExists(dataDir)) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    if (process.getuid?.() === 0) await letPostgresUserIn(path.dirname(dataDir), log);
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    stop: () => server.stop(),
  };
}

/**
 * A server for data nobody keeps (the docs, the benchmark): in a new folder of the
 * system's temporary directory, fsync off, on a free port; stop() deletes the folder.
 */
export async function startThrowawayPostgres(options: {
  readonly purpose: string;
  readonly log?: Logger;
  readonly postgresFlags?: readonly string[];
}): Promise<EmbeddedDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `detractor-sync-${options.purpose}-`));
  try {
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      persistent: false,
      log: options.log,
      postgresFlags: ['-c', 'fsync=off', ...(options.postgresFlags ?? [])],
    });
    return {
      ...server,
      stop: async () => {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
