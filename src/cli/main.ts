#!/usr/bin/env node
import { loadConfig, loadDotEnv, secretsOf } from '../config/config.js';
import { ConfigError, errorMessage, exitCodeFor } from '../errors.js';
import { createLogger, maskSecret, maskUrlPassword } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { demoCommand } from './demo-command.js';
import { docsCommand } from './docs-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { readonlyRoleCommand } from './readonly-role-command.js';
import { statusCommand } from './status-command.js';
import { syncCommand } from './sync-command.js';
import { workerCommand } from './worker-command.js';

const USAGE = `usage: detractor-sync <worker|sync|demo> [options]
  worker                       sync on the SYNC_CRON schedule until SIGTERM
  sync [--segment N]... [--status N]...
                               one sync, then exit: 0 all lists succeeded, 1 some failed, 2 bad configuration
  demo [--keep-db]             the demo account from the built-in simulator: two syncs, one on a rerun (no credentials needed)
  status [--json] [--runs N]    the last runs and each list's freshness and last error
  readonly-role [--role NAME] [--no-pii] [--print]
                               create/refresh the read-only BI role (DATABASE_URL, READONLY_ROLE_PASSWORD)
  healthcheck                  exit 0 when the worker on this host answers (the image's HEALTHCHECK)
  docs                         regenerate the README's data dictionary and example outputs (developers)`;

/** Exit codes: 0 success, 1 a sync failed, 2 invalid configuration or usage. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  loadDotEnv();
  if (command === 'demo') return demoCommand(rest);
  if (command === 'docs') return docsCommand();
  if (command === 'readonly-role') return readonlyRoleCommand(rest);
  if (command === 'status') return statusCommand(rest);
  if (command === 'healthcheck') return healthcheckCommand();
  if (command !== 'worker' && command !== 'sync') {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const redactor = new SecretRedactor(secretsOf(config));
  const log = createLogger({ level: config.logLevel, redactor });
  const questionpro = {
    ...config.questionpro,
    apiKey: maskSecret(config.questionpro.apiKey),
    baseUrl: maskUrlPassword(config.questionpro.baseUrl),
  };
  // Maps log as {}: names and labels are shown as objects.
  const reporting = {
    ...config.reporting,
    segmentNames: Object.fromEntries(config.reporting.segmentNames),
    statusLabels: Object.fromEntries(config.reporting.statusLabels),
  };
  log.info(
    { command, config: { ...config, questionpro, reporting, databaseUrl: maskUrlPassword(config.databaseUrl) ?? '(embedded)' } },
    'starting',
  );
  return command === 'worker' ? workerCommand(config, log) : syncCommand(config, log, rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error('detractor-sync: invalid configuration');
      for (const p of error.problems) console.error(`  ${p.variable}: ${p.message}`);
      console.error('See .env.example for every variable and its meaning.');
      process.exit(2);
    }
    if ((error as { code?: unknown } | undefined)?.code?.toString().startsWith('ERR_PARSE_ARGS')) {
      console.error(`detractor-sync: ${errorMessage(error)}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`detractor-sync: ${errorMessage(error)}`);
    process.exit(exitCodeFor(error));
  },
);
