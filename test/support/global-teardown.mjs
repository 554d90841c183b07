// Global teardown of every project that starts a server (db, db-pg15, e2e): one module,
// so jest runs it once, after all of them. Stops the servers the global setups started
// (embedded PostgreSQL 18, PostgreSQL 15) and deletes their folders.
import { stopServers } from './global-setup.mjs';

export default async function globalTeardown() {
  await stopServers();
}
