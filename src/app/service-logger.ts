import type { Logger } from 'pino';
import { secretsOf, type Config } from '../config/config.js';
import { describeConfig } from '../config/describe.js';
import { createLogger } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';

/** The root logger of a syncing command: its secrets redacted by value from every line, then the configuration it starts with. */
export function startServiceLogger(config: Config, command: string): Logger {
  const log = createLogger({ level: config.logLevel, redactor: new SecretRedactor(secretsOf(config)) });
  log.info({ command, config: describeConfig(config) }, 'starting');
  return log;
}
