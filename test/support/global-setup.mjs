// Plain ESM on purpose: jest loads global setup outside its module system, where the
// TypeScript sources' `./x.js` imports cannot be mapped. It uses the built service
// (`npm test` builds first) to start the server; the migrated template database is
// built by the first test file that needs it (test/support/database.ts).
//
// Two servers, started side by side: the default one (embedded PostgreSQL 18, or
// TEST_DATABASE_URL) in DETRACTOR_TEST_ADMIN_URL, and PostgreSQL 15 (Debian's binaries,
// or TEST_DATABASE_URL_PG15) in DETRACTOR_TEST_ADMIN_URL_PG15, which the "pg15"
// project's setup file (use-pg15.mjs) puts in DETRACTOR_TEST_ADMIN_URL.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureServerUser, postgres15Source, startPostgres15 } from './postgres15.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function globalSetup() {
  process.env.DETRACTOR_TEST_RUN = `${process.pid}_${Date.now()}`;
  const source15 = postgres15Source();
  if (source15.binDir) await ensureServerUser();
  const started = await Promise.allSettled([defaultServer(), postgres15(source15)]);
  const servers = started.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    // jest skips the global teardown when the setup throws: stop what did start.
    await Promise.allSettled(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  globalThis.__TEST_SERVERS__ = { servers, release: stopOnAbruptExit(servers) };
  const [main, server15] = started.map((r) => r.value);
  process.env.DETRACTOR_TEST_ADMIN_URL = main.url;
  process.env.DETRACTOR_TEST_PG_MAJOR = main.major;
  if (server15) process.env.DETRACTOR_TEST_ADMIN_URL_PG15 = server15.url;
}

async function defaultServer() {
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    return { url, major: await serverMajor(url), stop: async () => {}, stopSync: () => {} };
  }
  const built = path.join(root, 'dist', 'src', 'db', 'embedded-postgres.js');
  if (!existsSync(built))
    throw new Error(`${built} is missing: run the tests with \`npm test\` (it builds first) or run \`npm run build\``);
  const { startEmbeddedPostgres } = await import(pathToFileURL(built).href);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-test-'));
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    database: 'postgres',
    persistent: false,
    // Test data is disposable: skip fsync; allow the CLI tests' extra connections.
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=200'],
  }).catch(async (error) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: server.url,
    // The embedded-postgres package is pinned to 18 (package.json); test/db/server-version.db.test.ts checks it.
    major: '18',
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    stopSync: () => {
      const pid = Number(readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT'); // immediate shutdown: the data is thrown away
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pg15 project's server, or undefined when jest.config.js left the project out. */
async function postgres15(source) {
  if (source.url) return { url: source.url, stop: async () => {}, stopSync: () => {} };
  if (!source.binDir) return undefined;
  return startPostgres15(source.binDir);
}

/**
 * When jest ends without its global teardown (Ctrl-C, SIGTERM from a CI timeout, a
 * crash), stop the servers anyway and delete their folders: the PostgreSQL 15 cluster
 * runs detached from jest (pg_ctl) and would outlive it. Returns the undo, for the teardown.
 */
function stopOnAbruptExit(servers) {
  const stopAll = () => {
    for (const server of servers) {
      try {
        server.stopSync();
      } catch {
        // Best effort while exiting: a server already gone is fine.
      }
    }
  };
  const release = () => {
    process.off('exit', stopAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  function onSignal(signal) {
    release();
    stopAll();
    // Exit as the signal would have, unless another handler (embedded-postgres's) exits for us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  }
  process.on('exit', stopAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return release;
}

/** The major version of an external server (TEST_DATABASE_URL may be PostgreSQL 15 to 18). */
async function serverMajor(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SHOW server_version_num');
    return String(Math.floor(Number(rows[0].server_version_num) / 10_000));
  } finally {
    await client.end();
  }
}
