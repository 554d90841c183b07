import { describe, expect, test } from '@jest/globals';
import { renderStatusText, terminalSafe } from '../../src/observability/status-text.js';
import type { StatusReport } from '../../src/observability/status-report.js';

describe('the status report in a terminal', () => {
  test('when an error message holds ESC, BEL and CR, then they are written as escapes, never sent to the terminal', () => {
    expect(terminalSafe('\u001b[2J\u001b]0;owned\u0007ok\rgone\u009b')).toBe('\\x1b[2J\\x1b]0;owned\\x07ok\\x0dgone\\x9b');
  });

  test('when the report is rendered, then no control character of its values reaches the output', () => {
    const report: StatusReport = {
      runs: [],
      lists: [
        {
          segment_id: '1',
          segment_name: 'Retail\u001b[31m',
          status: 0,
          status_label: 'open',
          last_success_at: null,
          age_s: null,
          last_outcome: 'failed',
          tickets: 0,
          last_error_code: 'API_HTTP_500',
          last_error: 'boom\u001b[2J\rhidden\u0007',
          error_request_id: null,
        },
      ],
      openTickets: [],
      apiBudget: undefined,
    };
    const text = renderStatusText(report, 5);
    // eslint-disable-next-line no-control-regex -- what must not be there
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('boom\\x1b[2J\\x0dhidden\\x07');
  });

  test('when lists were skipped and calls answered, then the text counts them apart and names the time zone', () => {
    const list = (segment: string, outcome: string) => ({
      segment_id: segment,
      segment_name: `Segment ${segment}`,
      status: 0,
      status_label: 'open',
      last_success_at: null,
      age_s: null,
      last_outcome: outcome,
      tickets: 0,
      last_error_code: null,
      last_error: null,
      error_request_id: null,
    });
    const report: StatusReport = {
      runs: [],
      lists: [list('1', 'failed'), list('2', 'skipped'), list('3', 'succeeded')],
      openTickets: [],
      apiBudget: {
        keyFingerprint: '0123456789abcdef',
        budget: 100,
        used: 72,
        remaining: 28,
        period: 'day',
        periodStart: new Date('2026-11-28T00:00:00Z'),
        periodEnd: new Date('2026-11-29T00:00:00Z'),
        now: new Date('2026-11-28T12:00:00Z'),
        pacePerHour: 6,
        projectedAtPeriodEnd: 144,
        byOutcome: { sent: 72, ok: 72 },
        answers: { ok: 72 },
        callsPerDay: [{ day: '2026-11-28', calls: 72 }],
        timezone: 'America/New_York',
      },
    };
    const text = renderStatusText(report, 5);

    expect(text).toContain('Lists (segment x status): 1 failing, 1 skipped of 3');
    expect(text).toContain('API calls of this API key, all processes sharing the database (key fingerprint 0123456789abcdef)');
    expect(text).toContain('  answers to the 72 calls sent: ok 72\n');
    expect(text).toContain('API calls sent per day (the last 14 days in America/New_York)');
  });

  test('when the API calls could not be read, then the report says why instead of "none recorded"', () => {
    const report: StatusReport = { runs: [], lists: [], openTickets: [], apiBudget: undefined };
    expect(renderStatusText(report, 5)).toMatch(/API calls: none recorded yet$/);
    const text = renderStatusText(report, 5, { apiBudget: 'API calls: not shown, role r may not read api_call_ledger' });
    expect(text).toMatch(/API calls: not shown, role r may not read api_call_ledger$/);
    expect(text).not.toContain('none recorded');
  });
});
