import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli-process.js';
import { createEmptyDatabase } from '../support/database.js';

// The conventions of the command line, on the built CLI as a person or a script meets
// them: help and the version on stdout with exit 0 and no configuration at all; a wrong
// command or option exits 2 on stderr, naming it, before anything runs.

const COMMANDS = ['worker', 'sync', 'status', 'demo', 'readonly-role', 'healthcheck', 'docs'];
const KEY = 'conventions-key-5b0e8d13-never-sent';

describe('the command line without any configuration', () => {
  test.each([['--help'], ['-h'], ['help']])(
    'when %s is asked, then the usage lists every command on stdout and it exits 0',
    async (flag) => {
      const result = await runCli([flag], {});
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: detractor-sync <command> \[options\]\n/);
      for (const name of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} +\\S.*$`, 'm'));
    },
  );

  test.each(
    COMMANDS.flatMap((name) => [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
    ]),
  )('when `%s %s` is asked, then that command’s usage, options and exit codes are on stdout and it exits 0', async (...args) => {
    const result = await runCli(args, {});
    const name = args[0] === 'help' ? args[1] : args[0];
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: detractor-sync ${name}( |\\n)`));
    expect(result.stdout).toMatch(/\noptions:\n(.*\n)* {2}-h, --help +this help\n/);
    expect(result.stdout).toMatch(/\nexit codes:\n {2}0 /);
  });

  test('when sync is asked for help among other options, then it helps and runs nothing', async () => {
    const result = await runCli(['sync', '--segment', '1', '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--segment N +only this segment, one of SYNC_SEGMENTS/);
  });

  test.each([['--version'], ['-v']])(
    'when %s is asked, then the version of package.json is printed and it exits 0',
    async (flag) => {
      const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
      const result = await runCli([flag], {});
      expect(result).toMatchObject({ code: 0, stdout: `detractor-sync ${version}\n`, stderr: '' });
    },
  );

  test.each([
    ['synk', "detractor-sync: unknown command 'synk' (did you mean 'sync'?)"],
    ['stauts', "detractor-sync: unknown command 'stauts' (did you mean 'status'?)"],
    ['deploy', "detractor-sync: unknown command 'deploy'"],
  ])('when the command %s does not exist, then it exits 2 naming it on stderr', async (command, message) => {
    const result = await runCli([command], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(message);
  });

  test('when help is asked about a command that does not exist, then it exits 2 with a suggestion', async () => {
    const result = await runCli(['help', 'synk'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'synk' (did you mean 'sync'?)");
  });

  test('when no command is given, then the usage goes to stderr and it exits 2', async () => {
    const result = await runCli([], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: detractor-sync <command>/);
  });
});

describe('an unknown option, on a command that would otherwise run', () => {
  let sim: QuestionProSimulator;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 901, status: 0, count: 5 }] });
    database = await createEmptyDatabase('conventions');
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
  });

  // Everything each command needs to do its work, so only the option stops it. (`docs`, which
  // rewrites README.md when it runs, is left out; it parses its options the same way.)
  const env = () => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '901',
    DATABASE_URL: database.url,
    READONLY_ROLE_PASSWORD: 'conventions-password-1',
    HTTP_PORT: '0',
    SYNC_CRON: '0 0 1 1 *',
  });

  test.each(['worker', 'sync', 'status', 'demo', 'readonly-role', 'healthcheck'])(
    'when %s is given --once, then it exits 2 naming the option, before an API call or a table is made',
    async (command) => {
      const result = await runCli([command, '--once'], env());

      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')).toEqual([
        `detractor-sync: ${command}: unknown option '--once'`,
        expect.stringMatching(new RegExp(`^usage: detractor-sync ${command}`)),
        `Run 'detractor-sync ${command} --help' for more.`,
        '',
      ]);
      expect(result.stdout).toBe('');
      expect(sim.callsByKey(KEY)).toBe(0);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
        );
        expect(rows).toEqual([]);
      } finally {
        await client.end();
      }
    },
  );

  test('when an option is mistyped, then the one it meant is suggested', async () => {
    const result = await runCli(['status', '--jsno'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("detractor-sync: status: unknown option '--jsno' (did you mean '--json'?)");
  });
});
