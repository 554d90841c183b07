// Plain ESM on purpose: jest loads global setup outside its module system, where the
// TypeScript sources' `./x.js` imports cannot be mapped. It uses the built service
// (`npm run test:db`, `test:e2e` and `npm test` build first) to start the server; the
// migrated template database is built by the first test file that needs it
// (test/support/database.ts).
//
// Each project's global setup starts only the server it needs (jest runs a project's
// global setup only when one of its tests runs; the unit project has none):
// - this file, of the "db" and "e2e" projects: the default server (embedded PostgreSQL
//   18, or TEST_DATABASE_URL) in DETRACTOR_TEST_ADMIN_URL;
// - global-setup-pg15.mjs, of the "db-pg15" project: PostgreSQL 15 (Debian's binaries, or
//   TEST_DATABASE_URL_PG15) in DETRACTOR_TEST_ADMIN_URL_PG15, which that project's setup
//   file (use-pg15.mjs) puts in DETRACTOR_TEST_ADMIN_URL.
// Both keep what they started in one registry of the jest process, so a server is
// started once however many projects ask for it; global-teardown.mjs stops them all.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureServerUser, postgres15Source, startPostgres15 } from './postgres15.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function globalSetup() {
  await useServer('pg18');
}

/**
 * What this jest process started: the servers by name ('pg18', 'pg15'), each a promise
 * (of undefined when there is no PostgreSQL 15 to start), and those already up. On
 * globalThis: jest loads each project's global setup and teardown as a module of its own.
 */
function registry() {
  globalThis.__DETRACTOR_TEST_SERVERS__ ??= { starting: new Map(), up: [], release: undefined };
  return globalThis.__DETRACTOR_TEST_SERVERS__;
}

/** Starts the named server unless this jest process already did, and puts its URL in the environment the test workers inherit. */
export async function useServer(name) {
  process.env.DETRACTOR_TEST_RUN ??= `${process.pid}_${Date.now()}`;
  const started = registry();
  started.release ??= stopOnAbruptExit(started.up);
  if (!started.starting.has(name)) {
    const starting = name === 'pg15' ? postgres15() : defaultServer();
    started.starting.set(
      name,
      starting.then((server) => {
        if (server) started.up.push(server);
        return server;
      }),
    );
  }
  let server;
  try {
    server = await started.starting.get(name);
  } catch (error) {
    // jest skips the global teardown when a setup throws: stop what did start.
    await stopServers();
    throw error;
  }
  if (name === 'pg15') {
    if (server) process.env.DETRACTOR_TEST_ADMIN_URL_PG15 = server.url;
    return;
  }
  process.env.DETRACTOR_TEST_ADMIN_URL = server.url;
  process.env.DETRACTOR_TEST_PG_MAJOR = server.major;
}

/** Stops every server this jest process started (one failing to stop does not keep the others running) and deletes their folders. */
export async function stopServers() {
  const started = globalThis.__DETRACTOR_TEST_SERVERS__;
  if (!started) return;
  globalThis.__DETRACTOR_TEST_SERVERS__ = undefined;
  started.release();
  await Promise.allSettled(started.starting.values());
  const failed = (await Promise.allSettled(started.up.map((s) => s.stop()))).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function defaultServer() {
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    return { url, major: await serverMajor(url), stop: async () => {}, stopSync: () => {} };
  }
  const built = path.join(root, 'dist', 'src', 'db', 'embedded-postgres.js');
  if (!existsSync(built))
    throw new Error(
      `${built} is missing: run the tests with \`npm test\`, \`npm run test:db\` or \`npm run test:e2e\` (they build first) or run \`npm run build\``,
    );
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

/** The db-pg15 project's server, or undefined when jest.config.js left the project out. */
async function postgres15() {
  const source = postgres15Source();
  if (source.url) return { url: source.url, stop: async () => {}, stopSync: () => {} };
  if (!source.binDir) return undefined;
  // As root, the server runs as the `postgres` user, which embedded-postgres creates too.
  await ensureServerUser();
  return startPostgres15(source.binDir);
}

/**
 * When jest ends without its global teardown (Ctrl-C, SIGTERM from a CI timeout, a
 * crash), stop the servers anyway and delete their folders: the PostgreSQL 15 cluster
 * runs detached from jest (pg_ctl) and would outlive it. `servers` are those up, as they
 * come. Returns the undo, for the teardown.
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
