import pg from 'pg';
import type { Logger } from 'pino';
import { startThrowawayPostgres } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';

/**
 * Where `--scale` gets a fresh database per size: the case that matters is the first
 * sync into a freshly loaded table that nothing has analyzed yet, so no size may
 * inherit the tables (or their statistics) of another.
 */
export interface ScaleServer {
  /** `SHOW server_version`, e.g. "18.4". */
  readonly version: string;
  /** 'embedded' (started here, thrown away) or 'external' (`--database-url`). */
  readonly kind: 'embedded' | 'external';
  /** Creates and migrates a database; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Drops it, closing any connection left to it. */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const SAFE_NAME = /^[a-z_][a-z0-9_]*$/;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'detractor-sync-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `adminUrl`: any database of the server, as a user who may create databases. Without
 * one, an embedded server in a temporary folder (fsync off: the data is thrown away).
 */
export async function openScaleServer(adminUrl: string | undefined, log: Logger): Promise<ScaleServer> {
  let stop: () => Promise<void> = () => Promise.resolve();
  let url = adminUrl;
  if (url === undefined) {
    const database = await startThrowawayPostgres({ purpose: 'scale', log });
    url = database.url;
    stop = () => database.stop();
  }
  const server = url;
  const version = await withClient(
    server,
    async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version,
  );
  return {
    version,
    kind: adminUrl === undefined ? 'embedded' : 'external',
    async createDatabase(name) {
      if (!SAFE_NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
      await withClient(server, (c) => c.query(`CREATE DATABASE "${name}"`));
      const created = databaseUrl(server, name);
      await migrate(created, log);
      return created;
    },
    async dropDatabase(name) {
      if (!SAFE_NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
      await withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
    stop,
  };
}
