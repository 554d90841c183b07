import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError } from '../errors.js';

/** Sleeps, but wakes at once when the signal aborts (shutdown must not wait out a backoff). */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw AbortedError.from(signal);
    throw error;
  }
}
