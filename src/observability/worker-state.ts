import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { errorMessage } from '../errors.js';

/**
 * Where a running worker says it is: its pid, where its status endpoint listens (the
 * port it really got, also for HTTP_PORT=0 or a port picked by the system) and a
 * heartbeat. `healthcheck` (the image's HEALTHCHECK) reads it instead of guessing from
 * the environment. One file per worker: WORKER_STATE_FILE, by default in the system's
 * temporary folder.
 */
export interface WorkerState {
  readonly pid: number;
  /** Where to probe /healthz; undefined when the status endpoint is off. */
  readonly endpoint: { readonly host: string; readonly port: number } | undefined;
  readonly beatAt: string;
}

/** How often the heartbeat is written; `healthcheck` accepts three missed beats. */
export const HEARTBEAT_MS = 15_000;

export async function writeWorkerState(file: string, state: Omit<WorkerState, 'beatAt'>): Promise<void> {
  const content: WorkerState = { ...state, beatAt: new Date().toISOString() };
  // Written whole, then renamed: a reader never sees half a file.
  await writeFile(`${file}.${process.pid}`, JSON.stringify(content));
  await rename(`${file}.${process.pid}`, file);
}

export async function readWorkerState(file: string): Promise<WorkerState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WorkerState;
  } catch {
    return undefined;
  }
}

export async function removeWorkerState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** An address to probe a server listening on `host`: "any address" is probed on loopback. */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

export interface WorkerHealth {
  readonly healthy: boolean;
  readonly detail: string;
}

/**
 * `detractor-sync healthcheck` (the image's HEALTHCHECK): whether the worker is alive. It
 * asks the worker where it listens (its state file) rather than guessing from HTTP_HOST
 * and HTTP_PORT: a worker on a specific address, or on a port the system picked, is
 * probed where it is. With the status endpoint off, a fresh heartbeat counts.
 */
export async function checkWorkerHealth(file: string): Promise<WorkerHealth> {
  const state = await readWorkerState(file);
  if (!state)
    return { healthy: false, detail: `no worker state at ${file}: the worker has not started (or WORKER_STATE_FILE differs)` };
  try {
    process.kill(state.pid, 0);
  } catch {
    return { healthy: false, detail: `the worker (pid ${state.pid}) is not running` };
  }
  if (!state.endpoint) {
    const age = Date.now() - Date.parse(state.beatAt);
    const seconds = Math.round(age / 1000);
    return age <= 3 * HEARTBEAT_MS
      ? { healthy: true, detail: `heartbeat ${seconds} s ago` }
      : { healthy: false, detail: `no heartbeat for ${seconds} s` };
  }
  const host = probeHost(state.endpoint.host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${state.endpoint.port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
    return { healthy: response.ok, detail: `${url} answered ${response.status}` };
  } catch (error) {
    return { healthy: false, detail: `${url}: ${errorMessage(error)}` };
  }
}
