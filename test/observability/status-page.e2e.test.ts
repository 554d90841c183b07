import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { formatVendorTimestamp } from '../../src/sim/ticket-generator.js';
import { CHROMIUM, OVERFLOW_PROBE, browserUnavailable as unavailable, headlessFlags, withPage } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startWorker, unreachableDatabaseUrl, zoneAtNoon, type WorkerUnderTest } from '../support/worker-under-test.js';

const run = promisify(execFile);
if (unavailable) {
  // Visible in the test output, so a skipped check is never mistaken for a passed one.
  console.warn(`Status page browser checks skipped: ${unavailable}`);
}
const describeBrowser = unavailable ? describe.skip : describe;

const KEY = 'page-key-3c7d-must-not-leak';
const ARTIFACTS = process.env['TEST_ARTIFACTS_DIR'] ?? path.join(os.tmpdir(), 'detractor-sync-artifacts');
// Sent by the API as an error message: the page must show it as text, never run it.
const HOSTILE = `<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`;

/** Headless Chromium on a URL, in a profile of its own (parallel runs never share one). */
async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'detractor-chromium-'));
  try {
    const { stdout } = await run(CHROMIUM, [...headlessFlags(profile), ...args], {
      timeout: 60_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of each cell of each body row of the table with this id, as the browser has it. */
function tableRows(dom: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(dom)?.[1];
  if (table === undefined) throw new Error(`no table #${id} in the page`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => decode(cell[1]!)),
  );
}

function textOf(dom: string, id: string): string {
  const found = new RegExp(`<(\\w+)[^>]* id="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(dom);
  if (!found) throw new Error(`no element #${id} in the page`);
  return decode(found[2]!);
}

describeBrowser('the status page in a real browser (built worker, simulator, Chromium)', () => {
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let worker: WorkerUnderTest | undefined;
  let url: string;
  let dom: string;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 971, status: 0, count: 30 },
        { segmentId: 972, status: 0, count: 12 },
        { segmentId: 973, status: 0, count: 5 },
        { segmentId: 974, status: 0, count: 5 },
        { segmentId: 975, status: 0, count: 5 },
      ],
    });
    // One detractor of today: open but not yet due, so "open" and "overdue" differ (the generated ones are years old).
    const [newest] = sim.list(971, 0);
    sim.upsertTicket(971, 0, {
      ...newest!,
      ticketID: 971_000_500_000,
      timestamp: formatVendorTimestamp(Date.now() - 3_600_000, 0),
    });
    // 973: an error whose body echoes the API key (stored redacted); 974: an error message that is markup.
    sim.injectFault({ kind: 'echo-key', format: 'json', status: 400, times: 10, match: { segmentId: 973 } });
    sim.injectFault({
      kind: 'custom',
      status: 400,
      times: 10,
      match: { segmentId: 974 },
      body: JSON.stringify({
        response: { error: { name: 'BAD_REQUEST', httpStatusCode: 400, id: '1000', message: HOSTILE } },
        requestID: 'req-974',
      }),
    });
    // 975: a page of tickets cut short, answered 200: its content must reach neither the database nor the page.
    sim.injectFault({
      kind: 'custom',
      status: 200,
      times: 10,
      match: { segmentId: 975 },
      body: (page) => JSON.stringify(page).slice(0, 600),
    });
    tdb = await createTestDatabase();
    worker = await startWorker({
      apiKey: KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: [971, 972, 973, 974, 975],
      env: {
        // Names from the configuration, one unnamed ("Segment 975"); markup in a name is text.
        SYNC_SEGMENT_NAMES: '971=Retail EU;972=Online Shop, DE;973=<b>Call</b> Center;974=Kiosk',
        SYNC_STATUS_LABELS: '0=awaiting action',
        API_CALL_BUDGET: '500',
        API_BUDGET_PERIOD: 'day',
        SYNC_TIMEZONE: zoneAtNoon(),
      },
    });
    await worker.waitForLine((l) => l['msg'] === 'run finished');
    url = `${worker.url}/`;
    dom = await chromium(['--dump-dom', url]);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tdb?.close();
    await sim?.close();
  });

  test('when a sync has run, then the page answers 200 as HTML and unknown paths stay 404', async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect((await fetch(new URL('/nowhere', url))).status).toBe(404);
  });

  test('when the browser renders it, then open and overdue detractors per segment equal the database', async () => {
    const truth = await tdb.query<{ segment_id: string; open: number; overdue: number }>(
      `SELECT m.segment_id::text AS segment_id, count(*)::int AS open, count(*) FILTER (WHERE t.due_at < now())::int AS overdue
       FROM detractor_ticket_segments m JOIN detractor_tickets t USING (ticket_id)
       WHERE m.gone_at IS NULL AND m.status = 0 GROUP BY m.segment_id ORDER BY m.segment_id`,
    );
    expect(truth.find((r) => r.segment_id === '971')).toEqual({ segment_id: '971', open: 31, overdue: 30 });
    const names = ['Retail EU', 'Online Shop, DE', '<b>Call</b> Center', 'Kiosk', 'Segment 975'];
    const expected = ['971', '972', '973', '974', '975'].map((segment, i) => {
      const row = truth.find((r) => r.segment_id === segment);
      // A configured name shows its code in brackets; the default name holds it already.
      return [i < 4 ? `${names[i]} (${segment})` : names[i], String(row?.open ?? 0), String(row?.overdue ?? 0)];
    });
    expect(tableRows(dom, 'open-tickets')).toEqual(expected);
    // The name's markup is text on the page, not an element.
    expect(dom).toContain('&lt;b&gt;Call&lt;/b&gt; Center');
    expect(dom).not.toContain('<b>Call</b>');
    expect(textOf(dom, 'summary')).toContain(`Open detractors ${expected.reduce((n, r) => n + Number(r[1]), 0)} (`);
  });

  test('when a list failed, then sync health shows each outcome with the error code, message and request ID', async () => {
    const health = tableRows(dom, 'sync-health');
    const truth = await tdb.query<{ segment_id: string; last_outcome: string; code: string | null; request_id: string | null }>(
      `SELECT segment_id::text AS segment_id, last_outcome, last_error_code AS code, last_error_request_id AS request_id
       FROM v_sync_health ORDER BY segment_id`,
    );
    expect(health.map((r) => [/(\d+)\)?$/.exec(r[0]!)?.[1], r[1], r[4]])).toEqual(
      truth.map((t) => [t.segment_id, 'awaiting action (0)', t.last_outcome]),
    );
    expect(truth.map((t) => t.last_outcome)).toEqual(['succeeded', 'succeeded', 'failed', 'failed', 'failed']);
    for (const [i, t] of truth.entries()) {
      expect(health[i]![6]).toBe(t.code ?? '');
      expect(health[i]![8]).toBe(t.request_id ?? '');
    }
    expect(health[3]![8]).toBe('req-974');
    // The markup of the API's message is shown as text: no element came of it, no script ran.
    expect(health[3]![7]).toContain("<script>document.title='pwned'</script>");
    expect(dom).not.toMatch(/<script|<img/i);
    expect(dom).toMatch(/<title>detractor-sync status<\/title>/);
    const [lastRun] = await tdb.query<{ id: string; trigger: string; status: string; api_calls: number }>(
      'SELECT id::text, trigger, status, api_calls FROM sync_runs ORDER BY id DESC LIMIT 1',
    );
    expect(lastRun!.status).toBe('partial');
    const shown = tableRows(dom, 'recent-runs')[0]!;
    expect([shown[0], shown[1], shown[2], shown[7]]).toEqual([
      lastRun!.id,
      lastRun!.trigger,
      'partial',
      String(lastRun!.api_calls),
    ]);
  });

  test('when API_CALL_BUDGET is set, then the budget figures equal the ledger and a chart draws them', async () => {
    const [ledger] = await tdb.query<{ used: number }>('SELECT sum(calls)::int AS used FROM api_call_periods');
    expect(ledger!.used).toBe(sim.callsByKey(KEY));
    expect(textOf(dom, 'budget-calls')).toBe('500');
    expect(textOf(dom, 'budget-used')).toBe(String(ledger!.used));
    expect(textOf(dom, 'budget-remaining')).toBe(String(500 - ledger!.used));
    expect(Number(textOf(dom, 'budget-projected').split(' ')[0])).toBeGreaterThanOrEqual(ledger!.used);
    const charts = [...dom.matchAll(/<svg[^>]*>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(charts).toEqual([
      'Open and overdue detractors per segment',
      'API calls this period: used, projected and budget',
      expect.stringMatching(/^API calls sent per day/),
    ]);
    expect(dom).toContain('daily budget 500');
  });

  test('when the page is read, then no e-mail, phone number, comment or API key of the synced tickets is in it', async () => {
    const tickets = [971, 972, 973, 974, 975].flatMap((segment) => sim.list(segment, 0));
    const secrets = [
      ...tickets.map((t) => t.emailAddress),
      ...tickets.map((t) => t.phoneNumber),
      ...tickets.map((t) => t.comment),
    ].filter((s) => s.length >= 6);
    expect(secrets.length).toBeGreaterThan(40);
    // 975's error is recorded without the answer's content (rows of older versions that quote it are withheld by the page).
    const [stored] = await tdb.query<{ message: string }>(
      `SELECT last_error_message AS message FROM v_sync_health WHERE segment_id = 975`,
    );
    expect(secrets.filter((s) => stored!.message.includes(s))).toEqual([]);
    expect(secrets.filter((s) => worker!.stdout().includes(s) || worker!.stderr().includes(s))).toEqual([]);
    expect(tableRows(dom, 'sync-health')[4]![7]).toMatch(
      /^QuestionPro answered 200 with a body that is not JSON \(600 bytes, content withheld\), HTTP 200, requestID \S+$/,
    );
    const source = await (await fetch(url)).text();
    for (const text of [dom, source, decode(dom)]) {
      expect(secrets.filter((s) => text.includes(s))).toEqual([]);
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    }
    // Nothing is fetched from elsewhere: no script, style sheet, font or image outside the page.
    expect(dom).not.toMatch(/<(script|link|iframe|object)\b/i);
    expect(dom).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  test('when a screenshot is taken, then it is a real picture kept for CI', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'status-page.png');
    await rm(file, { force: true });
    await chromium([`--screenshot=${file}`, '--window-size=1280,1600', url]);
    const png = await readFile(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await stat(file)).size).toBeGreaterThan(30_000);
    console.log(`status page screenshot: ${file}`);
  });
});

describeBrowser('the status page when the database is down (built worker, Chromium)', () => {
  test('when the database does not answer, then the page answers 503 and says so instead of tables', async () => {
    const worker = await startWorker({
      apiKey: KEY,
      baseUrl: 'http://127.0.0.1:9/unused',
      databaseUrl: await unreachableDatabaseUrl(),
      segments: [971],
      env: { SYNC_RUN_ON_START: 'false' },
    });
    try {
      const response = await fetch(`${worker.url}/`);
      expect(response.status).toBe(503);
      const down = await chromium(['--dump-dom', `${worker.url}/`]);
      expect(textOf(down, 'database-down')).toMatch(/^Database unavailable The worker runs, but its database does not answer/);
      expect(down).not.toMatch(/<table/);
      expect(down).not.toContain('postgres:postgres');
    } finally {
      await worker.stop();
    }
  });
});

describeBrowser('the status page on a phone and on a desktop (built worker, simulator, Chromium at 360, 390 and 1280 px)', () => {
  const NARROW_KEY = 'narrow-key-7a1f-must-not-leak';
  const SEGMENTS = [101, 102, 103, 104, 105, 106];
  let sim: QuestionProSimulator;
  let tdb: TestDatabase;
  let worker: WorkerUnderTest | undefined;

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: NARROW_KEY,
      lists: SEGMENTS.map((segmentId) => ({ segmentId, status: 0, count: 12 })),
    });
    // The licence's allowance is used up at the first list: it fails, and the run ends
    // there, so the five lists after it are skipped (one list at a time: none was started).
    sim.injectFault({ kind: '429-quota', times: 5, match: { segmentId: 101 } });
    tdb = await createTestDatabase();
    worker = await startWorker({
      apiKey: NARROW_KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: SEGMENTS,
      env: {
        SYNC_CONCURRENCY: '1',
        SYNC_SEGMENT_NAMES: '101=Retail EU;102=Online Shop, DE;103=Call Center with a rather long name',
        SYNC_STATUS_LABELS: '0=open',
        SYNC_TIMEZONE: 'Europe/Berlin',
      },
    });
    await worker.waitForLine((l) => l['msg'] === 'run finished');
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await tdb?.close();
    await sim?.close();
  });

  test('when the lists are in the database, then one failed and five were skipped', async () => {
    const rows = await tdb.query<{ last_outcome: string; n: number }>(
      'SELECT last_outcome, count(*)::int AS n FROM v_sync_health GROUP BY 1 ORDER BY 1',
    );
    expect(rows).toEqual([
      { last_outcome: 'failed', n: 1 },
      { last_outcome: 'skipped', n: 5 },
    ]);
  });

  test.each([360, 390, 1280])('when the window is %i px wide, then nothing reaches past its right edge', async (width) => {
    const layout = await withPage(`${worker!.url}/`, { width, height: 900 }, async (page) => ({
      ...(await page.evaluate<{ innerWidth: number; scrollWidth: number; sticking: string[] }>(OVERFLOW_PROBE)),
      // Every chart fits the box it is in (it scales down rather than being cut off).
      chartsCut: await page.evaluate<number>(
        `[...document.querySelectorAll('svg.chart')].filter((svg) => svg.getBoundingClientRect().right > svg.parentElement.getBoundingClientRect().right + 0.5).length`,
      ),
      charts: await page.evaluate<number>(`document.querySelectorAll('svg.chart').length`),
    }));

    expect(layout).toEqual({ innerWidth: width, scrollWidth: width, sticking: [], chartsCut: 0, charts: 3 });
  });

  test('when it is read at 390 px, then names carry their code in brackets, the time zone is named and failing and skipped are apart', async () => {
    const text = await withPage(`${worker!.url}/`, { width: 390, height: 900 }, (page) =>
      page.evaluate<string>('document.body.innerText'),
    );

    for (const shown of ['Retail EU (101)', 'Online Shop, DE (102)', 'Call Center with a rather long name (103)', 'open (0)']) {
      expect(text).toContain(shown);
    }
    expect(text).toContain('Segment 104');
    expect(text).not.toContain('Segment 104 (104)');
    expect(text).not.toMatch(/Retail EU 101|open 0\b/);
    expect(text).toContain('1 failing, 5 skipped of 6');
    expect(text).toContain('API calls sent per day (the last 14 days in Europe/Berlin)');
    expect(text).toContain('API calls of this API key, all processes');
    // The one call sent got the quota's 429: the answers break the calls sent down, they are not added to them.
    expect(text).toMatch(/answers to the 1 call sent\s+http_429 1/);
  });
});
