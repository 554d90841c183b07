import type { Logger } from 'pino';
import { secretsOf, type Config } from '../config/config.js';
import { describeConfig } from '../config/describe.js';
import { createLogger } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { packageVersion } from '../project-root.js';
import { terminalLogDestination, type TerminalOutput } from './terminal-progress.js';

/**
 * The root logger of a syncing command: its secrets redacted by value from every line,
 * then the version and configuration it starts with. The configuration is one JSON line
 * in a log pipeline, where it answers "what was this pod running with"; in a terminal
 * pino-pretty spreads it over fifty lines before the first that matters, so there it
 * waits for LOG_LEVEL=debug.
 */
export function startServiceLogger(config: Config, command: string, output?: TerminalOutput): Logger {
  const shown = terminalLogDestination(output);
  const terminal = shown !== undefined || process.stdout.isTTY === true;
  const log = createLogger({ level: config.logLevel, redactor: new SecretRedactor(secretsOf(config)), ...shown });
  const starting = { command, version: packageVersion() };
  if (terminal) {
    log.info(starting, 'starting');
    log.debug({ config: describeConfig(config) }, 'configuration');
  } else log.info({ ...starting, config: describeConfig(config) }, 'starting');
  return log;
}
