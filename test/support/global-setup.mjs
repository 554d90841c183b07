// Plain ESM on purpose: jest loads global setup outside its module system, where the
// TypeScript sources' `./x.js` imports cannot be mapped. It uses the built service
// (`npm test` builds first) to start the server; the migrated template database is
// built by the first test file that needs it (test/support/database.ts).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function globalSetup() {
  process.env.DETRACTOR_TEST_RUN = `${process.pid}_${Date.now()}`;
  if (process.env.TEST_DATABASE_URL) {
    process.env.DETRACTOR_TEST_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const built = path.join(root, 'dist', 'src', 'db', 'embedded-postgres.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run the tests with \`npm test\` (it builds first) or run \`npm run build\``);
  const { startEmbeddedPostgres } = await import(pathToFileURL(built).href);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-test-'));
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    database: 'postgres',
    persistent: false,
    // Test data is disposable: skip fsync; allow the CLI tests' extra connections.
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=200'],
  });
  globalThis.__EMBEDDED_PG__ = { server, dir };
  process.env.DETRACTOR_TEST_ADMIN_URL = server.url;
}
