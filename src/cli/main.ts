#!/usr/bin/env node
import { loadDotEnv } from '../config/config.js';
import { ConfigError, errorMessage, exitCodeFor } from '../errors.js';
import { checkCommand } from './check-command.js';
import { demoCommand } from './demo-command.js';
import { docsCommand } from './docs-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { readonlyRoleCommand } from './readonly-role-command.js';
import { statusCommand } from './status-command.js';
import { syncCommand } from './sync-command.js';
import { workerCommand } from './worker-command.js';

const USAGE = `usage: detractor-sync <worker|sync|check|demo|status|...> [options]
  worker                       sync on the SYNC_CRON schedule until SIGTERM
  sync [--segment N]... [--status N]...
                               one sync, then exit: 0 all lists succeeded, 1 some failed, 2 bad configuration or database
  check [--json] [--closures-per-day N]
                               before the first sync: the key and datacenter, each list's tickets and pages (one call
                               each), what a month of the schedule costs and a schedule that fits; 0 checked, 2 fix the configuration
  demo [--keep-db] [--serve]   the demo account from the built-in simulator: two syncs, one on a rerun (no credentials needed);
                               --keep-db keeps its database up for psql, --serve serves its status page, both until Ctrl-C
  status [--json] [--runs N]    the last runs and each list's freshness and last error
  readonly-role [--role NAME] [--no-pii] [--print]
                               create/refresh the read-only BI role (DATABASE_URL, READONLY_ROLE_PASSWORD)
  healthcheck                  exit 0 when the worker on this host answers (the image's HEALTHCHECK)
  docs                         regenerate the configuration table, data dictionary and example outputs in docs/ (developers)`;

const COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<number>>> = {
  worker: workerCommand,
  sync: syncCommand,
  check: checkCommand,
  demo: demoCommand,
  status: statusCommand,
  'readonly-role': readonlyRoleCommand,
  healthcheck: healthcheckCommand,
  docs: docsCommand,
};

/** Exit codes: 0 success, 1 a sync failed, 2 invalid configuration or usage, or an operator's error (exitCodeFor). */
async function main(argv: string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  const run = COMMANDS[command];
  if (!run) {
    console.error(USAGE);
    return 2;
  }
  loadDotEnv();
  return run(rest);
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
