import { describe, expect, test } from '@jest/globals';
import { html, publicMessage, WITHHELD_ANSWER, WITHHELD_EMAIL, WITHHELD_PHONE } from '../../src/observability/page-safety.js';
import { ageText, named, renderStatusPage } from '../../src/observability/status-page.js';
import { listsSummary, type ListRow, type RunRow, type StatusReport } from '../../src/observability/status-report.js';

const NOW = new Date('2026-11-28T12:00:00Z');

/** The page without the layout whitespace between tags. */
function render(...args: Parameters<typeof renderStatusPage>): string {
  return renderStatusPage(...args).replace(/>\s+</g, '><');
}
const HOSTILE = `<script>alert("x")</script> & <img src=x onerror='alert(1)'>`;

const list = (over: Partial<ListRow>): ListRow => ({
  segment_id: '101',
  segment_name: 'Retail EU',
  status: 0,
  status_label: 'open',
  last_success_at: new Date('2026-11-28T11:55:00Z'),
  age_s: 300,
  last_outcome: 'succeeded',
  tickets: 7,
  last_error_code: null,
  last_error: null,
  error_request_id: null,
  ...over,
});

const RUN: RunRow = {
  id: '42',
  trigger: 'scheduled',
  status: 'partial',
  started_at: new Date('2026-11-28T11:55:00Z'),
  finished_at: new Date('2026-11-28T11:55:04Z'),
  seconds: 4.2,
  lists: 2,
  failed: 1,
  pages: 3,
  calls: 9,
  seen: 7,
  inserted: 7,
  updated: 0,
  error_code: null,
};

function report(over: Partial<StatusReport> = {}): StatusReport {
  return {
    runs: [RUN],
    lists: [
      list({}),
      list({
        segment_id: '102',
        last_success_at: null,
        age_s: null,
        last_outcome: 'failed',
        tickets: 0,
        last_error_code: 'API_BAD_REQUEST',
        last_error: HOSTILE,
        error_request_id: `req-"quoted"-'single'`,
      }),
    ],
    openTickets: [
      { segment_id: '101', segment_name: 'Retail EU', open: 7, overdue: 3 },
      { segment_id: '102', segment_name: HOSTILE, open: 0, overdue: 0 },
    ],
    apiBudget: {
      keyFingerprint: '0123456789abcdef',
      budget: undefined,
      used: 9,
      remaining: undefined,
      period: 'month',
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
      now: NOW,
      pacePerHour: 1.5,
      projectedAtPeriodEnd: 80,
      byOutcome: { sent: 9, ok: 8, http_400: 1 },
      answers: { ok: 8, http_400: 1 },
      timezone: 'Europe/Berlin',
      callsPerDay: [
        { day: '2026-11-27', calls: 0 },
        { day: '2026-11-28', calls: 9 },
      ],
    },
    ...over,
  };
}

describe('the status page renderer (fixed data)', () => {
  test('when an error message holds markup, then it is shown as text and no element is made of it', () => {
    const page = render({ report: report(), now: NOW });

    expect(page).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=&#39;alert(1)&#39;&gt;',
    );
    expect(page).not.toMatch(/<script|<img/i);
    // In an attribute too (the whole message on hover), and in the request ID.
    expect(page).toContain('title="&lt;script&gt;alert(&quot;x&quot;)');
    expect(page).toContain('req-&quot;quoted&quot;-&#39;single&#39;');
  });

  test('when the report is rendered, then sync health, runs, open tickets and the charts are in it', () => {
    const page = render({ report: report(), now: NOW });

    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<meta http-equiv="refresh" content="30" />');
    expect(page).toMatch(
      /<tr><td>Retail EU <span class="id">\(101\)<\/span><\/td><td class="num">7<\/td><td class="num">3<\/td><\/tr>/,
    );
    expect(page).toMatch(/<td>open <span class="id">\(0\)<\/span><\/td>/);
    expect(page).toContain('<span class="badge bad">failed</span>');
    expect(page).toContain('<span class="badge warn">partial</span>');
    expect(page).toContain('Open detractors</div><div class="card-value">7 (3 overdue)</div>');
    expect(page.match(/<svg\s/g)).toHaveLength(3);
    // Nothing to load: no script, no style sheet, no font, no absolute URL.
    expect(page).not.toMatch(/<(script|link)\b|https?:\/\//);
  });

  test('when a name and its code are shown together, then the code follows in brackets, and a default name stands alone', () => {
    expect(named('Retail EU', '101').text).toBe('Retail EU <span class="id">(101)</span>');
    expect(named('open', 0).text).toBe('open <span class="id">(0)</span>');
    expect(named('Segment 975', '975').text).toBe('Segment 975');
    expect(named('status 3', 3).text).toBe('status 3');
    expect(named('<b>Kiosk</b>', '7').text).toBe('&lt;b&gt;Kiosk&lt;/b&gt; <span class="id">(7)</span>');
  });

  test('when one list failed and five were skipped, then failing and skipped are counted apart', () => {
    const lists = [
      list({ last_outcome: 'failed' }),
      ...[2, 3, 4, 5, 6].map((i) => list({ segment_id: String(100 + i), last_outcome: 'skipped' })),
    ];
    expect(listsSummary(lists)).toEqual({ failing: 1, skipped: 5, text: '1 failing, 5 skipped of 6' });
    expect(listsSummary([list({})]).text).toBe('0 failing of 1');

    const page = render({ report: report({ lists }), now: NOW });
    expect(page).toContain('<div class="card-label">Lists</div><div class="card-value">1 failing, 5 skipped of 6</div>');
    expect(page).toContain('<p class="note" id="lists-summary">Lists: 1 failing, 5 skipped of 6.</p>');
    expect(page).not.toContain('6 of 6');
  });

  test('when calls per day are shown, then the heading names the time zone their days are in', () => {
    const page = render({ report: report(), now: NOW });

    expect(page).toContain('API calls sent per day (the last 14 days in Europe/Berlin)');
    expect(page).not.toContain('SYNC_TIMEZONE)');
  });

  test('when the budget is shown, then it says whose calls it counts, and the answers break the calls sent down', () => {
    const base = report().apiBudget!;
    const page = render({
      report: report({ apiBudget: { ...base, byOutcome: { sent: 72, ok: 70, http_429: 1 }, answers: { ok: 70, http_429: 1 } } }),
      now: NOW,
    });

    expect(page).toMatch(/<p class="note" id="budget-scope">\s*API calls of this API key, all processes:/);
    expect(page).toContain(
      '<dt>answers to the 72 calls sent</dt><dd id="budget-answers">ok 70, http_429 1, no answer recorded 1</dd>',
    );
    expect(page).not.toContain('144');
  });

  test('when API_CALL_BUDGET is unset, then the page says "no budget" and draws no budget line', () => {
    const page = render({ report: report(), now: NOW });

    expect(page).toContain('<dd id="budget-calls">no budget (API_CALL_BUDGET unset)</dd>');
    expect(page).toContain('<dd id="budget-remaining">-</dd>');
    expect(page).toContain('<dd id="budget-projected">80</dd>');
    expect(page).not.toContain('class="budget-mark"');
  });

  test('when the projection passes a daily budget, then the page says runs will be deferred and draws the budget line', () => {
    const base = report().apiBudget!;
    const page = render({
      report: report({ apiBudget: { ...base, budget: 50, remaining: 41, period: 'day' } }),
      now: NOW,
    });

    expect(page).toContain('<dd id="budget-projected">80 (over the budget: runs will be deferred)</dd>');
    expect(page).toContain('daily budget 50');
    expect(page).toContain('class="over"');
  });

  test('when nothing was synced yet, then each part says so instead of an empty table', () => {
    const page = render({ report: { runs: [], lists: [], openTickets: [], apiBudget: undefined }, now: NOW });

    expect(page).toContain('No segment synced yet.');
    expect(page).toContain('No list synced yet.');
    expect(page).toContain('No run yet.');
    expect(page).toContain('No API call recorded yet.');
    expect(page).not.toContain('<table');
  });

  test('when the database is down, then the page says why, escaped, and shows no table', () => {
    const page = render({ databaseError: 'connect ECONNREFUSED 127.0.0.1:5 <b>', now: NOW });

    expect(page).toContain('<h2>Database unavailable</h2>');
    expect(page).toContain('connect ECONNREFUSED 127.0.0.1:5 &lt;b&gt;');
    expect(page).not.toContain('<table');
  });

  test.each([
    [null, 'never'],
    [42, '42 s'],
    [600, '10 min'],
    [3 * 3600 + 600, '3 h 10 min'],
    [4 * 86_400 + 7200, '4 d 2 h'],
  ])('when a list last succeeded %p s ago, then its age reads %p', (seconds, text) => {
    expect(ageText(seconds)).toBe(text);
  });

  test('when values are put into a template, then only markup made by a template passes unescaped', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', html`<br />`]}${null}${undefined}${false}${3}</p>`.text).toBe(
      '<p><b>&lt;i&gt;</b>&lt;<br />3</p>',
    );
  });
});

describe('what the page without login shows of an error message', () => {
  test('when the API answered 200 with a page cut short, then the quoted start of it is withheld, the request ID kept', () => {
    const stored =
      'QuestionPro answered 200 with a body that is not JSON, HTTP 200, "{"response":[{"emailAddress":"goran.smith29+cx@mail.example.net",' +
      '"phoneNumber":"","rating":"3","comment":"It\'s the third time the app \'forgot\' my order","ticketID":5000000030", requestID 5f6f27e8-cc3c';

    expect(publicMessage(stored)).toBe(
      `QuestionPro answered 200 with a body that is not JSON, HTTP 200, "${WITHHELD_ANSWER}", requestID 5f6f27e8-cc3c`,
    );
  });

  test('when a message holds an e-mail address, also one cut short, then it is withheld', () => {
    expect(publicMessage('rejected for ana.smith3@example.com and bob@exa')).toBe(
      `rejected for ${WITHHELD_EMAIL} and ${WITHHELD_EMAIL}`,
    );
  });

  test.each(['+1 555 123 4567', '(555) 123-4567', '0049 30 1234567', '+44 20 7946 0958'])(
    'when a message holds the phone number %s, then it is withheld',
    (phone) => {
      expect(publicMessage(`call ${phone} now`)).toBe(`call ${WITHHELD_PHONE} now`);
    },
  );

  test('when a message holds dates, request IDs and counts, then they are not taken for phone numbers', () => {
    const stored = 'page 3 of 1234567 (requestID 4012fedc-e8ce-48ae-b800-6q5ce287987a) at 2026-12-05 00:49:09, retry after 120 s';
    expect(publicMessage(stored.replace(' of 1234567', ''))).toBe(stored.replace(' of 1234567', ''));
  });

  test('when a request ID holds groups of digits only, then it is not taken for a phone number', () => {
    const stored = 'QuestionPro answered 200 with a body that is not JSON, requestID 4b11991d-1234-5678-9012-0c31f802469d';
    expect(publicMessage(stored)).toBe(stored);
    expect(publicMessage('requestID 12345678-1234-5678-9012-123456789012')).toBe(
      'requestID 12345678-1234-5678-9012-123456789012',
    );
    expect(publicMessage('call +1 555-123-4567.')).toBe(`call ${WITHHELD_PHONE}.`);
  });

  test('when a message is an API error of its own, then it is shown as it is', () => {
    const stored = 'QuestionPro API error, HTTP 404, NOT_FOUND, id 1040, "The resource doesn\'t exist", requestID abc-1';
    expect(publicMessage(stored)).toBe(stored);
  });
});
