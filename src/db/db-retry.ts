import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { AbortedError, SyncError, errorMessage } from '../errors.js';

/** Runs one database step, retrying it when the connection (not the SQL) failed. */
export type DbRetry = <T>(what: string, step: () => Promise<T>) => Promise<T>;

/**
 * SQLSTATEs and driver messages of a lost connection: the server restarted, an admin
 * terminated the backend, the network dropped. The statement either committed or
 * not at all (each page is one statement or one transaction, and every write is an
 * idempotent upsert), so running it again is safe.
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const CONNECTION_MESSAGE = new RegExp(
  [
    'terminating connection',
    'connection terminated',
    'connection refused',
    'connection reset',
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'server closed the connection',
    'Connection ended',
    'timeout exceeded when trying to connect',
    "Can't reach database",
    'not queryable',
    'ConnectionClosed',
  ].join('|'),
  'i',
);

/** Prisma's driver-adapter error kinds that mean the connection, not the statement, failed. */
const CONNECTION_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TooManyConnections']);

/** The SQLSTATE of a database error, looked for along its causes and in Prisma's adapter metadata. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const meta = (e as { meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: string } } } }).meta;
    const adapterCode = meta?.driverAdapterError?.cause?.originalCode;
    if (adapterCode) return adapterCode;
    // A raw query's failure (Prisma's P2010) carries the database's code in its meta.
    if (typeof meta?.code === 'string' && SQLSTATE.test(meta.code)) return meta.code;
    const code = (e as { code?: unknown; originalCode?: unknown }).originalCode ?? (e as { code?: unknown }).code;
    // Prisma's own codes (P2010) have the shape of a SQLSTATE: they are not one.
    if (typeof code === 'string' && SQLSTATE.test(code) && !/^P\d{4}$/.test(code)) return code;
  }
  return undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (state && CONNECTION_SQLSTATES.has(state)) return true;
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const kind = (e as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } }).meta?.driverAdapterError?.cause?.kind;
    if (kind && CONNECTION_KINDS.has(kind)) return true;
  }
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (CONNECTION_MESSAGE.test(errorMessage(e))) return true;
    if (typeof e !== 'object') break;
  }
  return false;
}

export function createDbRetry(
  log: Logger,
  options: { retries?: number; minDelayMs?: number; signal?: AbortSignal } = {},
): DbRetry {
  return async (what, step) => {
    try {
      return await pRetry(step, {
        retries: options.retries ?? 6,
        minTimeout: options.minDelayMs ?? 200,
        maxTimeout: 10_000,
        randomize: true,
        // No signal here on purpose: p-retry would reject at once on abort while the
        // statement runs on, committing a page nobody counted. A shutdown instead stops
        // further attempts; the one under way finishes.
        shouldRetry: ({ error }) => isConnectionError(error) && !options.signal?.aborted,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (isConnectionError(error))
            log.warn(
              { step: what, attempt: attemptNumber, retriesLeft, errMessage: error.message },
              'database connection lost, retrying',
            );
        },
      });
    } catch (error) {
      // An abort rejects with the signal's reason (possibly another list's fatal error).
      if (options.signal?.aborted && (error === options.signal.reason || !(error instanceof SyncError))) throw new AbortedError();
      if (isConnectionError(error)) {
        throw new SyncError('DB_UNAVAILABLE', `database unavailable during ${what}: ${errorMessage(error)}`, {
          cause: error,
          fatal: true,
        });
      }
      throw error;
    }
  };
}
