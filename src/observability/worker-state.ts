import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

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

export const DEFAULT_WORKER_STATE_FILE = path.join(os.tmpdir(), 'detractor-sync-worker.json');

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
