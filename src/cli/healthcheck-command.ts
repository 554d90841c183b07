import { loadDotEnv } from '../config/config.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_WORKER_STATE_FILE, HEARTBEAT_MS, probeHost, readWorkerState } from '../observability/worker-state.js';

/**
 * `detractor-sync healthcheck` (the image's HEALTHCHECK): exit 0 when the worker is
 * alive. It asks the worker where it listens (its state file) rather than guessing from
 * HTTP_HOST and HTTP_PORT: a worker on a specific address, or on a port the system
 * picked, is probed where it is. With the status endpoint off, a fresh heartbeat counts.
 */
export async function healthcheckCommand(): Promise<number> {
  loadDotEnv();
  const file = process.env['WORKER_STATE_FILE']?.trim() || DEFAULT_WORKER_STATE_FILE;
  const state = await readWorkerState(file);
  if (!state) return unhealthy(`no worker state at ${file}: the worker has not started (or WORKER_STATE_FILE differs)`);
  try {
    process.kill(state.pid, 0);
  } catch {
    return unhealthy(`the worker (pid ${state.pid}) is not running`);
  }
  if (!state.endpoint) {
    const age = Date.now() - Date.parse(state.beatAt);
    return age <= 3 * HEARTBEAT_MS
      ? healthy(`heartbeat ${Math.round(age / 1000)} s ago`)
      : unhealthy(`no heartbeat for ${Math.round(age / 1000)} s`);
  }
  const host = probeHost(state.endpoint.host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${state.endpoint.port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
    return response.ok ? healthy(`${url} answered ${response.status}`) : unhealthy(`${url} answered ${response.status}`);
  } catch (error) {
    return unhealthy(`${url}: ${errorMessage(error)}`);
  }
}

function healthy(detail: string): number {
  console.log(`healthy: ${detail}`);
  return 0;
}

function unhealthy(detail: string): number {
  console.error(`unhealthy: ${detail}`);
  return 1;
}
