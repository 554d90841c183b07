/**
 * Polls a probe until it yields a value: for state only reachable over HTTP (a
 * worker's /metrics, /readyz), which has no event to wait on. A probe that throws
 * counts as "not yet"; the timeout is a safety net, not an assertion on speed.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
