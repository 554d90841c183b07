import { describe, expect, test } from '@jest/globals';
import { dedupeByTicketId } from '../../src/sync/page-store.js';
import { toTicketRow, type TicketRow } from '../../src/sync/transform.js';

const documented = {
  emailAddress: 'someone@example.com',
  phoneNumber: '',
  rating: '',
  comment: 'Staff was rude',
  ticketID: 414,
  responseID: 12121,
  timestamp: '2020-01-14T12:51:48.000+0000',
  timelimit: 72,
};

function row(record: unknown): TicketRow {
  const result = toTicketRow(record);
  if (!result.ok) throw new Error(`unexpected reject: ${result.reason}`);
  return result.row;
}

function reason(record: unknown): string {
  const result = toTicketRow(record);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}

describe('transform of one ticket', () => {
  test('when the documented example arrives, then empty strings become NULL and the rest is typed', () => {
    expect(row(documented)).toEqual({
      ticketId: 414,
      responseId: 12121,
      emailAddress: 'someone@example.com',
      phoneNumber: null,
      rating: null,
      comment: 'Staff was rude',
      createdAt: '2020-01-14T12:51:48.000000Z',
      timeLimitHours: 72,
      raw: JSON.stringify(documented),
    });
  });

  test.each([
    ['0', 0],
    ['6', 6],
    [' 10 ', 10],
    ['', null],
  ])('when rating is %p, then it is stored as %p', (rating, expected) => {
    expect(row({ ...documented, rating }).rating).toBe(expected);
  });

  test.each(['abc', '11', '-1', '5.5'])('when rating is %p, then the record is refused with the reason', (rating) => {
    expect(reason({ ...documented, rating })).toMatch(/^rating: /);
  });

  test('when the comment has emoji, accents and is 5 kB long, then it is kept byte for byte', () => {
    const comment = 'Très déçu 😡 — "pas de réponse" 🙁\n'.repeat(150);
    expect(Buffer.byteLength(comment)).toBeGreaterThan(5_000);
    expect(row({ ...documented, comment }).comment).toBe(comment);
  });

  test('when email and phone are blank or padded, then blanks are NULL and padding is trimmed', () => {
    const r = row({ ...documented, emailAddress: '   ', phoneNumber: ' +1 555 0100 ' });
    expect(r.emailAddress).toBeNull();
    expect(r.phoneNumber).toBe('+1 555 0100');
  });

  test('when the timestamp has a -0700 offset, then createdAt is the exact UTC instant', () => {
    expect(row({ ...documented, timestamp: '2020-01-14T20:00:00.000-0700' }).createdAt).toBe('2020-01-15T03:00:00.000000Z');
  });

  test.each([
    [{ ...documented, ticketID: 'abc' }, /^ticketID: /],
    [{ ...documented, ticketID: undefined }, /^ticketID: /],
    [{ ...documented, ticketID: 1.5 }, /^ticketID: /],
    [{ ...documented, timelimit: '72' }, /^timelimit: /],
    [{ ...documented, timestamp: 'yesterday' }, /^timestamp: "yesterday"/],
    [null, /\(root\)/],
  ])('when a record is malformed (%p), then it is refused naming the field', (record, expected) => {
    expect(reason(record)).toMatch(expected);
  });

  test('when the vendor adds a field, then the record is accepted and the field kept in raw', () => {
    const r = row({ ...documented, priority: 'high' });
    expect(JSON.parse(r.raw)).toHaveProperty('priority', 'high');
  });
});

describe('deduplication within a page', () => {
  test('when a ticket appears twice, then the last occurrence wins and ids are sorted', () => {
    const a = row({ ...documented, ticketID: 9, comment: 'first' });
    const b = row({ ...documented, ticketID: 3 });
    const c = row({ ...documented, ticketID: 9, comment: 'second' });
    const source = { record: {}, originalText: '{}', repaired: false };
    const unique = dedupeByTicketId([a, b, c].map((r) => ({ row: r, source }))).map((a) => a.row);
    expect(unique.map((r) => [r.ticketId, r.comment])).toEqual([
      [3, 'Staff was rude'],
      [9, 'second'],
    ]);
  });
});
