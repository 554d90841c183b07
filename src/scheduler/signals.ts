import type { Logger } from 'pino';

/**
 * Calls `stop` once on the first SIGTERM or SIGINT. A second signal while stopping
 * exits at once, for an operator who really means it.
 */
export function onShutdownSignal(log: Logger, stop: (signal: NodeJS.Signals) => void | Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutdown requested');
    void Promise.resolve(stop(signal)).catch((error: unknown) => log.error({ err: error }, 'shutdown failed'));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
