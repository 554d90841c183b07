import { describe, expect, test } from '@jest/globals';
import type { BudgetStatus } from '../../src/budget/budget-status.js';
import { SecretRedactor, webhookSecrets } from '../../src/logging/secret-redactor.js';
import { buildMessage, duration, listName, type ListNames } from '../../src/notify/message.js';
import type { ListDetail } from '../../src/notify/observations.js';

const names: ListNames = {
  segmentNames: new Map([[101, 'Retail EU']]),
  statusLabels: new Map([[1, 'closed']]),
};
const NOW = new Date('2026-12-11T08:00:00Z');

function failed(segmentId: number, status: number, extra: Partial<ListDetail> = {}): ListDetail {
  return {
    segmentId,
    status,
    errorCode: 'API_UNAUTHORIZED',
    apiErrorId: 'err-7',
    requestId: 'req-42',
    runId: 12n,
    lastSuccessAt: new Date('2026-12-10T08:00:00Z'),
    ...extra,
  };
}

describe('a notification message', () => {
  test('when a list is named, then the text reads "Retail EU (101) open (0)"; unnamed ones read by their codes', () => {
    expect(listName({ segmentId: 101, status: 0 }, names)).toBe('Retail EU (101) open (0)');
    expect(listName({ segmentId: 101, status: 1 }, names)).toBe('Retail EU (101) closed (1)');
    expect(listName({ segmentId: 103, status: 2 }, names)).toBe('segment 103 status 2');
  });

  test('when the key is rejected, then one message names every list, the code, what to do and the API references', () => {
    const body = buildMessage('lists_failing', { lists: [failed(101, 0), failed(103, 0, { runId: 13n })] }, names, NOW);
    expect(body.text).toBe(
      'detractor-sync: 2 lists failing: Retail EU (101) open (0), segment 103 open (0). API_UNAUTHORIZED: QuestionPro rejected the API key: check QUESTIONPRO_API_KEY (and QUESTIONPRO_ENV) and restart. (requestID req-42, API error id err-7)',
    );
    expect(body).toMatchObject({
      event: 'lists_failing',
      service: 'detractor-sync',
      time: '2026-12-11T08:00:00.000Z',
      runId: '13',
      errorCode: 'API_UNAUTHORIZED',
      apiErrorId: 'err-7',
      requestId: 'req-42',
    });
    expect(body.lists[0]).toEqual({
      segmentId: 101,
      segmentName: 'Retail EU',
      status: 0,
      statusLabel: 'open',
      name: 'Retail EU (101) open (0)',
      errorCode: 'API_UNAUTHORIZED',
      apiErrorId: 'err-7',
      requestId: 'req-42',
      lastSuccessAt: '2026-12-10T08:00:00.000Z',
    });
    // Serialisable as it is (bigint run ids are strings).
    expect(() => JSON.stringify(body)).not.toThrow();
  });

  test('when lists fail for different reasons, then each list carries its code', () => {
    const body = buildMessage(
      'lists_failing',
      { lists: [failed(101, 0), failed(103, 0, { errorCode: 'API_NOT_FOUND' })] },
      names,
      NOW,
    );
    expect(body.text).toContain('Retail EU (101) open (0) [API_UNAUTHORIZED], segment 103 open (0) [API_NOT_FOUND]');
  });

  test('when many lists fail, then the text names ten and counts the rest; the body holds all', () => {
    const lists = Array.from({ length: 13 }, (_, i) => failed(200 + i, 0));
    const body = buildMessage('lists_failing', { lists }, names, NOW);
    expect(body.text).toContain('segment 209 open (0) and 3 more.');
    expect(body.lists).toHaveLength(13);
  });

  test('when the allowance is used up, then the message says so and what to do', () => {
    const body = buildMessage(
      'allowance_exhausted',
      { lists: [failed(101, 0, { errorCode: 'API_QUOTA_EXHAUSTED' })] },
      names,
      NOW,
    );
    expect(body.text).toMatch(
      /^detractor-sync: API calls used up, 1 list not syncing: Retail EU \(101\) open \(0\)\. API_QUOTA_EXHAUSTED: QuestionPro's call allowance/,
    );
    expect(body.errorCode).toBe('API_QUOTA_EXHAUSTED');
  });

  test('when lists recover, then the message names them and carries no error', () => {
    const body = buildMessage(
      'lists_recovered',
      { lists: [failed(101, 0, { errorCode: null, apiErrorId: null, requestId: null })] },
      names,
      NOW,
    );
    expect(body.text).toBe('detractor-sync: 1 list syncing again: Retail EU (101) open (0).');
    expect(body).toMatchObject({ errorCode: null, requestId: null, apiErrorId: null });
  });

  test('when a list is stale, then the message gives its age and the limit', () => {
    const body = buildMessage(
      'lists_stale',
      { lists: [failed(101, 0, { ageSeconds: 11_100, limitSeconds: 2_700 })] },
      names,
      NOW,
    );
    expect(body.text).toMatch(
      /^detractor-sync: no successful sync for 3 h 5 min \(limit 45 min\): Retail EU \(101\) open \(0\) \[API_UNAUTHORIZED\]/,
    );
    expect(body.lists[0]).toMatchObject({ ageSeconds: 11_100, limitSeconds: 2_700 });
  });

  test('when the forecast overruns the budget, then the message gives the numbers and what to do', () => {
    const budget: BudgetStatus = {
      budget: 1000,
      used: 600,
      remaining: 400,
      period: 'month',
      periodStart: new Date('2026-12-01T00:00:00Z'),
      periodEnd: new Date('2027-01-01T00:00:00Z'),
      now: NOW,
      pacePerHour: 2.5,
      projectedAtPeriodEnd: 2085,
      byOutcome: {},
      answers: {},
    };
    const body = buildMessage('budget_forecast_short', { budget }, names, NOW);
    expect(body.text).toBe(
      'detractor-sync: the API call budget runs out before the month ends: 2085 calls projected by 2027-01-01T00:00:00.000Z for a budget of 1000 (600 used, 2.5 an hour). Lists will be deferred: raise API_CALL_BUDGET or sync less often (SYNC_CRON, SYNC_STATUS_INTERVALS).',
    );
    expect(body.budget).toMatchObject({ budget: 1000, used: 600, projectedAtPeriodEnd: 2085, period: 'month' });
    expect(body.lists).toEqual([]);
    expect(body.runId).toBeNull();
  });

  test.each([
    [30, '30 s'],
    [60, '1 min'],
    [2_700, '45 min'],
    [7_200, '2 h'],
    [11_100, '3 h 5 min'],
    [187_200, '2 d 4 h'],
    [172_800, '2 d'],
  ])('when %i seconds are shown, then they read "%s"', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  test('when a requestID or a name quotes a secret, then the body as sent holds none of it', () => {
    const hook = 'https://hooks.slack.com/services/T0001/B0002/hooktoken0123456789abcd';
    const key = 'api-key-5d1e3f9a7b2c';
    const redactor = new SecretRedactor([key, ...webhookSecrets(hook)]);
    const body = buildMessage(
      'lists_failing',
      { lists: [failed(101, 0, { requestId: `echo ${key}`, apiErrorId: 'hooktoken0123456789abcd' })] },
      { segmentNames: new Map([[101, `shop ${hook}`]]), statusLabels: new Map() },
      NOW,
    );
    const sent = redactor.redact(JSON.stringify(body));
    expect(sent).not.toContain(key);
    expect(sent).not.toContain('hooktoken0123456789abcd');
    expect(sent).not.toContain('/services/T0001');
    expect(JSON.parse(sent)).toMatchObject({ requestId: 'echo [redacted]', apiErrorId: '[redacted]' });
  });
});
