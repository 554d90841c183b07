import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from '../../src/project-root.js';

export const CLI_ENTRY = path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliProcess {
  readonly child: ChildProcess;
  /** The working directory it runs in (a fresh empty one for the built CLI). */
  readonly cwd: string;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines printed so far. */
  lines(): Array<Record<string, unknown>>;
  /** Resolves when a log line matches. */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * Runs the built CLI (dist/, made by `npm test`'s build step) as a real child
 * process, in an empty working directory so no developer .env leaks in.
 */
export function startCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  if (!existsSync(CLI_ENTRY)) throw new Error(`${CLI_ENTRY} is missing: run \`npm run build\` (npm test does it first)`);
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'detractor-cli-'));
  return watch(
    spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    cwd,
  );
}

/**
 * Runs a documented npm script (`npm run -s sync`, `npm start`) as a person or a
 * supervisor does, in a process group of its own: npm, then the service under it.
 * Signalling the group (`process.kill(-child.pid, ...)`) is a terminal's Ctrl-C or a
 * supervisor's stop. npm runs in the project (where package.json is); the
 * environment is only what is given, so no npm_config_* of the test run leaks in.
 */
export function startNpmScript(script: string[], env: Record<string, string | undefined>): CliProcess {
  return watch(
    spawn('npm', script, {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
    PROJECT_ROOT,
  );
}

function watch(child: ChildProcessByStdio<null, Readable, Readable>, cwd: string): CliProcess {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk) => {
    out += String(chunk);
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (chunk) => (err += String(chunk)));
  // The child's last output may still be in the pipe when it exits: read it to its end
  // (bounded: a process the child left behind may hold the pipe open).
  const drained = (stream: Readable) =>
    stream.readableEnded ? Promise.resolve() : new Promise<void>((resolve) => stream.once('end', () => resolve()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      const timer = setTimeout(() => resolve(code), 2000);
      void Promise.all([drained(child.stdout), drained(child.stderr)]).then(() => {
        clearTimeout(timer);
        resolve(code);
      });
    }),
  );
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return []; // not a log line (e.g. a command's pretty-printed JSON output)
        }
      });
  return {
    child,
    cwd,
    stdout: () => out,
    stderr: () => err,
    lines,
    exited,
    waitForLine: (predicate, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines().find(predicate);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)),
          timeoutMs,
        );
        waiters.push(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      }),
  };
}

export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string; lines: Array<Record<string, unknown>>; cwd: string }> {
  const cli = startCli(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr(), lines: cli.lines(), cwd: cli.cwd };
}

/** Why the CLI cannot be run in a pseudo-terminal here (util-linux `script` is missing), or undefined. */
export function terminalUnavailable(): string | undefined {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error)
    return `script (util-linux) not found on PATH (${probe.error.message}); on Debian or Ubuntu: apt-get install util-linux`;
  return probe.status === 0 ? undefined : `script --version exited ${probe.status}`;
}

/**
 * Runs the built CLI with stdout on a pseudo-terminal, as a person at a terminal runs it
 * (util-linux `script`; -e passes the exit code on). The terminal's output comes back
 * without colours and carriage returns.
 */
export async function runCliInTerminal(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'detractor-tty-'));
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI_ENTRY, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TERM: 'dumb', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  // eslint-disable-next-line no-control-regex -- the terminal's colour codes are what it removes
  return { code, output: output.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '') };
}
