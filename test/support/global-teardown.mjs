// Stops the servers the global setup started (embedded PostgreSQL 18, PostgreSQL 15)
// and deletes their folders; one failing to stop does not keep the other running.
export default async function globalTeardown() {
  const started = globalThis.__TEST_SERVERS__;
  if (!started) return;
  globalThis.__TEST_SERVERS__ = undefined;
  started.release();
  const failed = (await Promise.allSettled(started.servers.map((s) => s.stop()))).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
