/**
 * How a command shows long work, decided once from where its output goes:
 * - `live`: a progress display redrawn in place (both streams are a terminal);
 * - `lines`: a terminal that cannot or should not be redrawn (CI=true, TERM=dumb,
 *   --no-progress): a line per list as it ends;
 * - `off`: output goes to a pipe or a file (or --json): pino JSON lines, every page's
 *   requestID at info, exactly as a log pipeline expects.
 */
export type ProgressMode = 'live' | 'lines' | 'off';

export interface OutputFacts {
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** false with --no-progress. */
  readonly progress?: boolean;
  /** The command prints JSON for a program to read. */
  readonly json?: boolean;
}

/** CI systems set CI (to true, 1, or their name); "false" and "0" are how people unset it. */
export function runsInCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function progressMode(facts: OutputFacts): ProgressMode {
  if (!facts.stdoutIsTTY || !facts.stderrIsTTY || facts.json === true) return 'off';
  if (facts.progress === false || runsInCi(facts.env) || facts.env.TERM === 'dumb') return 'lines';
  return 'live';
}

/** no-color.org: NO_COLOR set to anything but the empty string turns colour off. */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

/** The facts of this process. */
export function outputFacts(options: { progress?: boolean; json?: boolean } = {}): OutputFacts {
  return {
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    ...options,
  };
}
