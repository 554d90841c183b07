import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { OVERFLOW_PROBE, browserUnavailable, withPage } from '../support/browser.js';
import { startCli, type CliProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// `npm run demo -- --serve` as a person runs it (the built CLI), on a database of its own
// (DATABASE_URL, never the checkout's .data/) and a port the system picks (HTTP_PORT=0).

const URL_LINE = /The status page of the demo's database: (http:\/\/127\.0\.0\.1:\d+\/) \(until Ctrl-C\)/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo -- --serve', () => {
  let tdb: TestDatabase;
  let demo: CliProcess;
  let url: string;

  beforeAll(async () => {
    tdb = await createTestDatabase('demo_serve');
    demo = startCli(['demo', '--serve'], { DATABASE_URL: tdb.url, HTTP_PORT: '0', LOG_LEVEL: 'warn' });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${demo.stdout()}\n${demo.stderr()}`)), 180_000);
      const check = () => {
        const found = URL_LINE.exec(demo.stdout())?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      demo.child.stdout!.on('data', check);
      void demo.exited.then(() => reject(new Error(`the demo exited early:\n${demo.stdout()}\n${demo.stderr()}`)));
    });
  }, 240_000);

  afterAll(async () => {
    if (demo?.child.exitCode === null) {
      demo.child.kill('SIGKILL');
      await demo.exited;
    }
    await tdb?.close();
  });

  test('when the URL is printed, then it serves the status page of the demo data, its health routes and HEAD', async () => {
    const page = await fetch(url);
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The demo's configured names, with their codes; its two syncs.
    expect(html).toContain('Retail EU <span class="id">(101)</span>');
    expect(html).toContain('open <span class="id">(0)</span>');
    expect(html.match(/<span class="badge ok">succeeded<\/span>/g)?.length).toBeGreaterThanOrEqual(2);
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    expect((await fetch(`${url}readyz`)).status).toBe(200);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
  });

  (browserUnavailable ? test.skip : test)(
    'when the page is opened 390 px wide in Chromium, then nothing reaches past the window',
    async () => {
      const layout = await withPage(url, { width: 390, height: 900 }, (p) =>
        p.evaluate<{ innerWidth: number; scrollWidth: number; sticking: string[] }>(OVERFLOW_PROBE),
      );
      expect(layout).toEqual({ innerWidth: 390, scrollWidth: 390, sticking: [] });
    },
    60_000,
  );

  test('when it gets Ctrl-C (SIGINT), then it exits 0 and nothing of it is left answering', async () => {
    const pid = demo.child.pid!;
    demo.child.kill('SIGINT');

    expect(await demo.exited).toBe(0);
    expect(demo.stderr()).not.toMatch(/error|Error/);
    expect(processAlive(pid)).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
    // Its database connections are closed too: only this test's own session is left.
    const [sessions] = await tdb.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    expect(sessions).toEqual({ n: 0 });
  }, 60_000);
});
