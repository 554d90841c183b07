import { describe, expect, test } from '@jest/globals';
import { SecretRedactor, urlSecrets } from '../../src/logging/secret-redactor.js';
import { isUnsafeIntegerText, parseJsonExact } from '../../src/questionpro/json-text.js';
import { parseApiTimestamp } from '../../src/sync/api-timestamp.js';
import { REPLACEMENT_CHARACTER } from '../../src/logging/storable-text.js';
import { sanitizeRecord } from '../../src/sync/record-sanitizer.js';
import { toTicketRow } from '../../src/sync/transform.js';

const documented = {
  emailAddress: 'a@example.com',
  phoneNumber: '',
  rating: '3',
  comment: 'Staff was rude',
  ticketID: 414,
  responseID: 12121,
  timestamp: '2020-01-14T12:51:48.000+0000',
  timelimit: 72,
};

describe('integers beyond 2^53 in a response', () => {
  test('when a ticketID literal is above 2^53, then it is read as its exact digits, not rounded', () => {
    const parsed = parseJsonExact('{"response":[{"ticketID":9007199254740993,"responseID":12}],"n":-12345678901234567890}') as {
      response: Array<{ ticketID: unknown; responseID: unknown }>;
      n: unknown;
    };
    expect(parsed.response[0]).toEqual({ ticketID: '9007199254740993', responseID: 12 });
    expect(parsed.n).toBe('-12345678901234567890');
  });

  test('when digits are inside strings, fractions or exponents, then they are left alone', () => {
    const text = '{"a":"id 12345678901234567890","b":1.12345678901234567890,"c":2e12345678901234567,"d":9007199254740991}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  test('when such a ticket is validated, then it is refused naming the exact value', () => {
    const result = toTicketRow({ ...documented, ticketID: '9007199254740993' });
    expect(result).toEqual({ ok: false, reason: 'ticketID: 9007199254740993 is beyond 2^53 - 1 and cannot be read exactly' });
    expect(isUnsafeIntegerText('9007199254740991')).toBe(false);
  });
});

describe('text PostgreSQL cannot hold', () => {
  test('when a comment holds NUL, then it is replaced by U+FFFD and the original is kept as escaped JSON text', () => {
    const record = { ...documented, comment: 'bad\u0000byte' };
    const clean = sanitizeRecord(record, SecretRedactor.none);
    expect(clean.repaired).toBe(true);
    expect((clean.record as { comment: string }).comment).toBe(`bad${REPLACEMENT_CHARACTER}byte`);
    expect(clean.originalText).toContain('bad\\u0000byte');
    expect(JSON.parse(clean.originalText)).toEqual(record);
  });

  test('when a lone surrogate (half an emoji) appears in a value or a key, then it is replaced; whole emoji stay', () => {
    const record = { ...documented, comment: 'ok 😡 then \ud83d end', ['x\udc00']: 'low' };
    const clean = sanitizeRecord(record, SecretRedactor.none).record as Record<string, unknown>;
    expect(clean['comment']).toBe(`ok 😡 then ${REPLACEMENT_CHARACTER} end`);
    expect(clean[`x${REPLACEMENT_CHARACTER}`]).toBe('low');
  });

  test('when nothing needs repair, then the record is unchanged and not flagged', () => {
    const clean = sanitizeRecord(documented, SecretRedactor.none);
    expect(clean).toEqual({ record: documented, originalText: JSON.stringify(documented), repaired: false });
  });
});

describe('secrets echoed by a server', () => {
  const key = 'qp-Key"with/odd+chars-1234';
  const redactor = new SecretRedactor([key, 'pw']);

  test('when a text holds the key as written, JSON-escaped or URL-encoded, then every form is removed', () => {
    const text = `a ${key} b ${JSON.stringify(key)} c ${encodeURIComponent(key)}`;
    const redacted = redactor.redact(text);
    expect(redacted).not.toContain('qp-Key');
    expect(redacted).toBe('a [redacted] b "[redacted]" c [redacted]');
  });

  test('when a record echoes the key in a field and a key name, then the stored record and its text do not hold it', () => {
    const clean = sanitizeRecord({ ...documented, comment: `proxy says api-key: ${key}`, [key]: 1 }, redactor);
    expect(JSON.stringify(clean.record)).not.toContain('qp-Key');
    expect(clean.originalText).not.toContain('qp-Key');
    expect(clean.repaired).toBe(false);
  });

  test('when a short secret such as a default password is set, then it is removed as a whole word only', () => {
    const weak = new SecretRedactor(['postgres']);
    expect(weak.redact('postgresql://postgres:postgres@db/x')).toBe('postgresql://[redacted]:[redacted]@db/x');
  });

  test('when a secret is shorter than 4 characters, then it is not used (it would shred every line)', () => {
    expect(redactor.redact('pwd is fine')).toBe('pwd is fine');
  });

  test('when a URL carries credentials, then its password (or a lone user token) is a secret', () => {
    expect(urlSecrets('postgresql://app:s%40cret@db/x')).toEqual(['s@cret', 's%40cret']);
    expect(urlSecrets('https://TOKEN123@proxy.example/a/api/v2')).toEqual(['TOKEN123', 'TOKEN123']);
    expect(urlSecrets('https://api.questionpro.com/a/api/v2')).toEqual([]);
  });
});

describe('implausible timestamps', () => {
  test.each([
    ['9999-12-31T23:59:59-1200', 'outside the plausible range 1970-2200'],
    ['0000-01-01T00:00:00.000+0000', 'outside the plausible range 1970-2200'],
    ['0050-06-01T00:00:00.000+0000', 'outside the plausible range 1970-2200'],
    ['1969-12-31T23:59:59.000+0000', 'outside the plausible range 1970-2200'],
    ['2200-01-01T00:00:00.000+0000', 'outside the plausible range 1970-2200'],
  ])('when the API sends %s, then the record is quarantined: %s', (timestamp, reason) => {
    const result = toTicketRow({ ...documented, timestamp });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(`timestamp: "${timestamp}" is ${reason}`);
  });

  test('when a year below 100 is parsed, then it stays that year (not 1900 + year)', () => {
    expect(new Date(parseApiTimestamp('0050-06-01T00:00:00Z')!.epochMs).getUTCFullYear()).toBe(50);
    expect(parseApiTimestamp('0004-02-29T00:00:00Z')).toBeDefined(); // year 4 was a leap year, 1904 too but 1900 was not
    expect(parseApiTimestamp('1900-02-29T00:00:00Z')).toBeUndefined();
  });

  test('when the timestamp is at the edges of the plausible range, then it is accepted', () => {
    expect(toTicketRow({ ...documented, timestamp: '1970-01-01T00:00:00.000+0000' }).ok).toBe(true);
    expect(toTicketRow({ ...documented, timestamp: '2199-12-31T23:59:59.999+0000' }).ok).toBe(true);
  });
});
