import type { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { SecretRedactor } from './secret-redactor.js';

/**
 * Paths that may hold the API key or database password. pino removes them from
 * every line, wherever a child logger or an error put them.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'headers["api-key"]',
  '*.headers["api-key"]',
  '*.*.headers["api-key"]',
  'config.headers',
  '*.config.headers',
  'databaseUrl',
  '*.databaseUrl',
  'password',
  '*.password',
];

export interface LoggerOptions {
  readonly level?: string;
  /** Human-readable lines (pino-pretty); default: when stdout is a terminal. */
  readonly pretty?: boolean;
  readonly destination?: DestinationStream;
  /** Secrets removed by value from every line, whatever field or message holds them. */
  readonly redactor?: SecretRedactor;
  /**
   * Human-readable lines written in this process to this stream (above a progress
   * display), rather than by pino-pretty's worker thread to stdout.
   */
  readonly prettyTo?: { readonly stream: Writable; readonly colorize: boolean };
}

const PRETTY = { translateTime: 'SYS:standard', ignore: 'service', singleLine: true } as const;

export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = options.redactor ?? SecretRedactor.none;
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'detractor-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The serialized line, just before it is written: an echoed secret is caught in any field.
    ...(redactor.active ? { hooks: { streamWrite: (line: string) => redactor.redact(line) } } : {}),
  };
  if (options.destination) return pino(base, options.destination);
  if (options.prettyTo) {
    const { stream, colorize } = options.prettyTo;
    return pino(base, pinoPretty({ ...PRETTY, colorize, destination: stream, sync: true }));
  }
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    // One line per entry: a run's fields spread one per line bury the lines that matter.
    return pino({ ...base, transport: { target: 'pino-pretty', options: PRETTY } });
  }
  return pino(base);
}

/** Shows that a secret is set without showing it. */
export function maskSecret(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length <= 4 ? '****' : `****${value.slice(-2)}`;
}

/** Removes the credentials from a connection or API URL for logs and messages. */
export function maskUrlPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    else if (parsed.username) parsed.username = '****';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}

/** A webhook URL as it may be shown: where it goes (scheme and host), not its path or query, which hold the token. */
export function maskWebhookUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return `${new URL(url).origin}/****`;
  } catch {
    return '[unparseable url]';
  }
}
