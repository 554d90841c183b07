import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logging/logger.js';
import type { SecretRedactor } from '../../src/logging/secret-redactor.js';

export interface CapturedLogs {
  readonly log: Logger;
  /** Every line written so far, as text. */
  readonly text: () => string;
  /** Every line parsed. */
  readonly lines: () => Array<Record<string, unknown>>;
}

/** The production logger (same redaction), writing into memory instead of stdout. */
export function captureLogger(level = 'debug', redactor?: SecretRedactor): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ level, destination: destination, redactor });
  const text = () => chunks.join('');
  return {
    log,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
