import { parseArgs } from 'node:util';
import { closestName } from './suggest.js';

/** The options of a command as node:util parseArgs takes them. */
type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & object;

/** What parseArgs returns for a command's options, strictly parsed. */
export type OptionValues<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>
>['values'];

/** How an option shows in the help: the name of its value (none for a flag) and one line on what it does. */
export interface OptionHelp {
  readonly value?: string;
  readonly text: string;
}

/** A command as written in its file under src/cli: its help beside the options it parses. */
export interface CommandSpec<O extends OptionsConfig> {
  readonly name: string;
  /** One line in the usage's list of commands. */
  readonly summary: string;
  /** What `<command> --help` says above the options: what it does and what it needs. */
  readonly about: string;
  readonly options: O;
  readonly optionHelp: { readonly [K in keyof O]: OptionHelp };
  /** One line per exit code, e.g. `0  every list synced`. */
  readonly exitCodes: readonly string[];
  readonly run: (values: OptionValues<O>) => Promise<number>;
}

/** A command of the COMMANDS table: its help, and a run that parses its arguments strictly first. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** `sync [--segment N]... [--status N]...` */
  readonly synopsis: string;
  /** Names of its options, `--` included, for suggestions. */
  readonly optionNames: readonly string[];
  help(): string;
  run(argv: readonly string[]): Promise<number>;
}

/**
 * The command line was wrong (an unknown option, a missing value, an argument the
 * command does not take): exit 2 with what was wrong and the command's usage, before
 * anything ran.
 */
export class UsageError extends Error {
  constructor(
    readonly command: Command | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` or `-h` anywhere before a `--`: the help, whatever else the line holds. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export function defineCommand<O extends OptionsConfig>(spec: CommandSpec<O>): Command {
  const flags = Object.entries(spec.options).map(([name, option]) => {
    const value = (spec.optionHelp as Record<string, OptionHelp>)[name]?.value;
    const word = option.type === 'string' ? `--${name} ${value ?? 'VALUE'}` : `--${name}`;
    return `[${word}]${option.multiple ? '...' : ''}`;
  });
  const command: Command = {
    name: spec.name,
    summary: spec.summary,
    synopsis: [spec.name, ...flags].join(' '),
    optionNames: Object.keys(spec.options).map((name) => `--${name}`),
    help: () => renderHelp(spec, command.synopsis),
    run: async (argv) => spec.run(parseStrictly(command, spec.options, argv)),
  };
  return command;
}

function parseStrictly<O extends OptionsConfig>(command: Command, options: O, argv: readonly string[]): OptionValues<O> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    // Node's first sentence says it ("Unknown option '--segmnt'"); the rest is advice for another kind of program.
    const sentence = String(message).split(/\.\s/)[0]!;
    let text = sentence.charAt(0).toLowerCase() + sentence.slice(1);
    const unknown = /^unknown option '(-[^']*)'/.exec(text)?.[1];
    const near = unknown?.startsWith('--') ? closestName(unknown, command.optionNames) : undefined;
    if (near) text += ` (did you mean '${near}'?)`;
    throw new UsageError(command, text);
  }
}

function renderHelp<O extends OptionsConfig>(spec: CommandSpec<O>, synopsis: string): string {
  const rows: Array<[string, string]> = Object.keys(spec.options).map((name) => {
    const help = (spec.optionHelp as Record<string, OptionHelp>)[name]!;
    const short = spec.options[name]?.short;
    const flag = `${short ? `-${short}, ` : ''}--${name}${help.value ? ` ${help.value}` : ''}`;
    return [flag, help.text];
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: detractor-sync ${synopsis}`,
    '',
    spec.about,
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    '',
    'exit codes:',
    ...spec.exitCodes.map((line) => `  ${line}`),
  ].join('\n');
}
