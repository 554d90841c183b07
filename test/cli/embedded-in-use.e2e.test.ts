import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { QuestionProSimulator } from '../../src/sim/server.js';

// The embedded database of .data/ is one folder that one process owns. This runs the
// commands as a user does, in a checkout of their own (a copy of the built app whose
// .data/ is private to this test), while `demo --keep-db` holds the database.

const run = promisify(execFile);

describe('while `npm run demo -- --keep-db` holds the embedded database', () => {
  let app: string;
  let demo: ReturnType<typeof spawn>;
  let demoOut = '';
  const env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    EMBEDDED_POSTGRES_PORT: '0', // a free port: tests never take a fixed one
    LOG_LEVEL: 'info',
  };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    run(process.execPath, [path.join(app, 'dist', 'src', 'cli', 'main.js'), ...args], {
      cwd: app,
      env: { ...env, ...extra },
      timeout: 120_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  beforeAll(async () => {
    app = mkdtempSync(path.join(os.tmpdir(), 'detractor-checkout-'));
    for (const entry of ['package.json', 'prisma', 'dist'])
      cpSync(path.join(PROJECT_ROOT, entry), path.join(app, entry), { recursive: true });
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    demo = spawn(process.execPath, [path.join(app, 'dist', 'src', 'cli', 'main.js'), 'demo', '--keep-db'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk) => (demoOut += String(chunk)));
    demo.stderr!.on('data', (chunk) => (demoOut += String(chunk)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not get to waiting:\n${demoOut}`)), 240_000);
      demo.stdout!.on('data', () => {
        if (demoOut.includes('It runs until Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
      demo.once('exit', () => reject(new Error(`the demo exited early:\n${demoOut}`)));
    });
  }, 300_000);
  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
    rmSync(app, { recursive: true, force: true });
  }, 60_000);

  test('when status runs, then it reads through the demo’s server and says which database it reports on', async () => {
    const { code, stdout, stderr } = await cli(['status', '--json']);
    expect({ code, stderr: stderr.replace(/\n$/, '') }).toEqual({
      code: 0,
      stderr: `Database: the embedded PostgreSQL in ${path.join(app, '.data', 'pg')} (DATABASE_URL is not set)`,
    });
    const report = JSON.parse(stdout) as { runs: Array<{ trigger: string; status: string }> };
    // A fresh database: the demo's two syncs, before and after its tickets changed.
    expect(report.runs.map((r) => [r.trigger, r.status])).toEqual([
      ['demo', 'succeeded'],
      ['demo', 'succeeded'],
    ]);
  }, 120_000);

  test('when a second demo or a sync starts without DATABASE_URL, then it stops naming the cause, not with a TypeError', async () => {
    const sync = await cli(['sync'], {
      QUESTIONPRO_API_KEY: 'k-in-use-test',
      SYNC_SEGMENTS: '1',
      QUESTIONPRO_BASE_URL: 'http://127.0.0.1:9/a/api/v2',
    });
    const second = await cli(['demo']);
    for (const result of [sync, second]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `the embedded database in ${path.join(app, '.data', 'pg')} is in use by another process (its server pid `,
      );
      expect(result.stderr).toContain(
        `started by pid ${demo.pid}: ${process.execPath} ${path.join(app, 'dist', 'src', 'cli', 'main.js')} demo --keep-db)`,
      );
      // And how to stop it, so the database is free for the next command.
      expect(result.stderr).toContain(`: stop it first (Ctrl-C where it runs, or kill -INT ${demo.pid}), or set DATABASE_URL`);
      expect(result.stderr).not.toContain('TypeError');
    }
    // It did not reach the API or the database: the demo's data is as it was.
    const { stdout } = await cli(['status', '--json']);
    expect((JSON.parse(stdout) as { runs: unknown[] }).runs).toHaveLength(2);
  }, 240_000);

  test('when the demo is stopped with Ctrl-C, then it exits 0 and the database is free again', async () => {
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (c) => resolve(c)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    const { code, stderr } = await cli(['status']);
    expect(code).toBe(0);
    expect(stderr).not.toContain('in use');
  }, 120_000);

  test('when sync runs without DATABASE_URL for a real account, then it warns that the data lands where no BI tool looks', async () => {
    const sim = await QuestionProSimulator.start({ apiKey: 'k-embedded-warn', lists: [{ segmentId: 5, status: 0, count: 3 }] });
    try {
      const result = await cli(['sync'], {
        QUESTIONPRO_API_KEY: 'k-embedded-warn',
        SYNC_SEGMENTS: '5',
        QUESTIONPRO_BASE_URL: sim.baseUrl,
      });
      expect(result.code).toBe(0);
      const lines = result.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string; dataDir?: string });
      const warning = lines.find((l) => l.msg.startsWith('DATABASE_URL is not set'));
      expect(warning).toMatchObject({ level: 40, dataDir: path.join(app, '.data', 'pg') });
      expect(warning?.msg).toContain('where no BI tool will look');
    } finally {
      await sim.close();
    }
  }, 120_000);
});
