import { describe, expect, test } from '@jest/globals';
import { asksForHelp, defineCommand, UsageError } from '../../src/cli/command.js';

/** A command that records what it was run with. */
function recorder() {
  const runs: unknown[] = [];
  const command = defineCommand({
    name: 'copy',
    summary: 'copies',
    about: 'Copies things.',
    options: { from: { type: 'string', multiple: true }, dry: { type: 'boolean' }, limit: { type: 'string', default: '5' } },
    optionHelp: {
      from: { value: 'N', text: 'a source (repeatable)' },
      dry: { text: 'only say what it would do' },
      limit: { value: 'N', text: 'at most N' },
    },
    exitCodes: ['0  copied', '2  wrong'],
    run: (values) => {
      runs.push(values);
      return Promise.resolve(0);
    },
  });
  return { command, runs };
}

describe('a command of the command line', () => {
  test('when its synopsis and help are made, then they name every option, the help and the exit codes', () => {
    const { command } = recorder();
    expect(command.synopsis).toBe('copy [--from N]... [--dry] [--limit N]');
    expect(command.help().split('\n')).toEqual([
      'usage: detractor-sync copy [--from N]... [--dry] [--limit N]',
      '',
      'Copies things.',
      '',
      'options:',
      '  --from N    a source (repeatable)',
      '  --dry       only say what it would do',
      '  --limit N   at most N',
      '  -h, --help  this help',
      '',
      'exit codes:',
      '  0  copied',
      '  2  wrong',
    ]);
  });

  test('when its options are given, then it runs with their values', async () => {
    const { command, runs } = recorder();
    expect(await command.run(['--from', '1', '--from=2', '--dry'])).toBe(0);
    expect(runs).toEqual([{ from: ['1', '2'], dry: true, limit: '5' }]);
  });

  test.each([
    [['--frm', '1'], "unknown option '--frm' (did you mean '--from'?)"],
    [['--bogus'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x'"],
    [['--from'], "option '--from <value>' argument missing"],
    [['extra'], "unexpected argument 'extra'"],
  ])('when it is given %j, then it refuses with a usage error before running', async (argv, message) => {
    const { command, runs } = recorder();
    const error = await command.run(argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).command).toBe(command);
    expect(runs).toEqual([]);
  });

  test('when --help or -h is anywhere before a --, then the line asks for help', () => {
    expect(asksForHelp(['--from', '1', '--help'])).toBe(true);
    expect(asksForHelp(['-h'])).toBe(true);
    expect(asksForHelp(['--', '--help'])).toBe(false);
    expect(asksForHelp(['--helper'])).toBe(false);
  });
});
