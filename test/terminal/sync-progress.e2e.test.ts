import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { CLI_ENTRY, runCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const KEY = 'progress-key-5d1e-must-not-leak';
// The simulator's large account: 28,000 tickets in 4 lists, 70 pages each at 100 a page.
const LISTS = [201, 202, 203, 204].map((segmentId) => ({ segmentId, status: 0, count: 7000 }));
const PAGES_PER_LIST = 70;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\r/g;

/** A log record as pino-pretty prints it: "[2026-12-05 10:00:00.000 +0000] INFO (…): …". */
const LOG_RECORD = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] +(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)/;

/** Runs the built CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal does. */
function runInTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'detractor-pty-'));
  const command = `stty cols 160 rows 50 2>/dev/null; exec ${[process.execPath, CLI_ENTRY, ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    // No CI variable: the test runner's own must not turn the display off.
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], TERM: 'xterm-256color', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk) => (screen += String(chunk)));
  child.stderr.on('data', (chunk) => (screen += String(chunk)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe('a first sync of a large account, in a terminal and piped', () => {
  let sim: QuestionProSimulator;
  const databases: TestDatabase[] = [];
  const env = async (): Promise<Record<string, string>> => {
    const tdb = await createTestDatabase();
    databases.push(tdb);
    return {
      QUESTIONPRO_API_KEY: KEY,
      QUESTIONPRO_BASE_URL: sim.baseUrl,
      SYNC_SEGMENTS: LISTS.map((l) => l.segmentId).join(','),
      SYNC_STATUSES: '0',
      SYNC_SEGMENT_NAMES: '201=Retail EU;202=Online Shop',
      API_RATE_LIMIT_PER_MIN: '20000',
      DATABASE_URL: tdb.url,
      LOG_LEVEL: 'info',
    };
  };

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({ apiKey: KEY, lists: LISTS });
  });
  afterAll(async () => {
    await sim.close();
    await Promise.all(databases.map((d) => d.close()));
  });

  test('when it runs in a terminal, then each list shows pages of the announced total, an ETA, few log records, and the summary last', async () => {
    const { code, screen } = await runInTerminal(['sync'], await env());
    const text = screen.replace(ANSI, '');
    expect(code).toBe(0);
    for (const label of [
      'Retail EU (201) · status 0',
      'Online Shop (202) · status 0',
      'segment 203 · status 0',
      'segment 204 · status 0',
    ]) {
      expect(text).toMatch(new RegExp(`${label.replace(/[()]/g, '\\$&')} +[█░]+ +\\d+/${PAGES_PER_LIST} pages`));
    }
    expect(text).toMatch(/all lists +[█░]+ +\d[\d,]*\/[\d,]+ pages.*· [\d,]+ calls · ETA \d/);
    const lines = text.split('\n');
    const records = lines.filter((l) => LOG_RECORD.test(l.trim()));
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(30);
    expect(records.some((r) => r.includes('page stored'))).toBe(false);
    // The summary table comes last: after the display's final lines and every log record.
    const tableEnd = text.lastIndexOf('└');
    expect(tableEnd).toBeGreaterThan(text.lastIndexOf('ETA'));
    expect(tableEnd).toBeGreaterThan(text.lastIndexOf(records.at(-1)!));
    expect(text.slice(text.lastIndexOf('┌'))).toMatch(/201.*succeeded[\s\S]*204.*succeeded/);
  }, 300_000);

  test('when CI is set in a terminal, then nothing is redrawn: a line per list as it ends', async () => {
    const { code, screen } = await runInTerminal(['sync', '--segment', '201'], { ...(await env()), CI: 'true' });
    const text = screen.replace(ANSI, '');
    expect(code).toBe(0);
    expect(text).toContain(
      `Retail EU (201) · status 0: done, ${PAGES_PER_LIST}/${PAGES_PER_LIST} pages, 7,000 tickets, 70 calls`,
    );
    expect(text).not.toMatch(/all lists|ETA/);
    expect(text).not.toContain('page stored');
  }, 300_000);

  test('when check runs in a terminal, then each list is shown counted (one call each) before the report', async () => {
    const before = sim.callsByKey(KEY);
    const { code, screen } = await runInTerminal(['check'], { ...(await env()), CI: 'true' });
    const text = screen.replace(ANSI, '');
    expect(code).toBe(0);
    expect(sim.callsByKey(KEY) - before).toBe(LISTS.length);
    const report = text.indexOf('Against the licence allowances');
    expect(report).toBeGreaterThan(0);
    for (const label of [
      'Retail EU (201) · status 0',
      'Online Shop (202) · status 0',
      'segment 203 · status 0',
      'segment 204 · status 0',
    ]) {
      const line = text.indexOf(`${label}: done, 1/1 pages, 7,000 tickets, 1 calls`);
      expect(line).toBeGreaterThanOrEqual(0);
      expect(line).toBeLessThan(report);
    }
  }, 120_000);

  test('when its output is piped, then every page is a JSON log line at info with its requestID', async () => {
    const before = sim.requests.length;
    const result = await runCli(['sync'], await env());
    expect(result.code).toBe(0);
    const answered = sim.requests
      .slice(before)
      .filter((r) => r.httpStatus === 200)
      .map((r) => r.requestId);
    const pages = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; requestId?: string })
      .filter((l) => l.msg === 'page stored');
    expect(pages.length).toBeGreaterThanOrEqual(4 * PAGES_PER_LIST);
    expect(pages.every((p) => p.level === 30)).toBe(true);
    expect(new Set(pages.map((p) => p.requestId))).toEqual(new Set(answered));
    expect(result.stdout + result.stderr).not.toMatch(/all lists|ETA/);
  }, 300_000);
});
