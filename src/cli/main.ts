#!/usr/bin/env node
import { loadDotEnv } from '../config/config.js';
import { ConfigError, exitCodeFor, oneLineMessage } from '../errors.js';
import { packageVersion } from '../project-root.js';
import { checkCommand } from './check-command.js';
import { asksForHelp, UsageError, type Command } from './command.js';
import { demoCommand } from './demo-command.js';
import { docsCommand } from './docs-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { readonlyRoleCommand } from './readonly-role-command.js';
import { statusCommand } from './status-command.js';
import { closestName } from './suggest.js';
import { syncCommand } from './sync-command.js';
import { workerCommand } from './worker-command.js';

/** Every command, in the order the usage lists them. */
const COMMANDS: readonly Command[] = [
  workerCommand,
  syncCommand,
  checkCommand,
  statusCommand,
  demoCommand,
  readonlyRoleCommand,
  healthcheckCommand,
  docsCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    'usage: detractor-sync <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "detractor-sync help <command> (or <command> --help): a command's options and exit codes",
    'detractor-sync --version: the version',
    'Configuration: environment variables, or a .env file in the working directory (.env.example lists them).',
  ].join('\n');
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const near = closestName(
    name,
    COMMANDS.map((c) => c.name),
  );
  throw new UsageError(undefined, `unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}`);
}

/**
 * Help and the version need no configuration and go to stdout with exit 0; a wrong
 * command or option exits 2 before anything runs. Other exit codes are the command's.
 */
async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    console.error(usage());
    return 2;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && (rest.length === 0 || asksForHelp(rest)))) {
    console.log(usage());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(`detractor-sync ${packageVersion()}`);
    return 0;
  }
  if (first === 'help') {
    console.log(findCommand(rest[0]!).help());
    return 0;
  }
  const command = findCommand(first);
  if (asksForHelp(rest)) {
    console.log(command.help());
    return 0;
  }
  loadDotEnv();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      const name = error.command ? `${error.command.name}: ` : '';
      console.error(`detractor-sync: ${name}${error.message}`);
      if (error.command) console.error(`usage: detractor-sync ${error.command.synopsis}`);
      console.error(`Run 'detractor-sync ${error.command ? `${error.command.name} --help` : '--help'}' for more.`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      // Flags alone (--segment, --runs) are options, not the configuration of .env.
      const variables = error.problems.some((p) => !p.variable.startsWith('--'));
      console.error(`detractor-sync: ${variables ? 'invalid configuration' : 'invalid option'}`);
      for (const p of error.problems) console.error(`  ${p.variable}: ${p.message}`);
      if (variables) console.error('See .env.example for every variable and its meaning.');
      process.exit(2);
    }
    // One line: Prisma's messages open with a blank line and spread over several.
    console.error(`detractor-sync: ${oneLineMessage(error, 2_000)}`);
    process.exit(exitCodeFor(error));
  },
);
