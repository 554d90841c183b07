import { describe, expect, test } from '@jest/globals';
import { parseApiTimestamp } from '../../src/sync/api-timestamp.js';

describe('API timestamps', () => {
  test.each([
    ['2020-01-14T12:51:48.000+0000', '2020-01-14T12:51:48.000000Z'],
    ['2020-01-14T12:51:48.000+0530', '2020-01-14T07:21:48.000000Z'],
    ['2020-01-14T12:51:48.000-0700', '2020-01-14T19:51:48.000000Z'],
    ['2020-01-14T12:51:48+05:45', '2020-01-14T07:06:48.000000Z'],
    ['2020-01-14T12:51:48.123456Z', '2020-01-14T12:51:48.123456Z'],
    ['2020-01-14 12:51:48.5-03', '2020-01-14T15:51:48.500000Z'],
    // An offset can move the instant into another day, month and year.
    ['2020-12-31T22:30:00.000-0200', '2021-01-01T00:30:00.000000Z'],
    ['2020-03-01T01:00:00.000+0200', '2020-02-29T23:00:00.000000Z'],
  ])('when the API sends %s, then it is stored as %s', (input, expected) => {
    expect(parseApiTimestamp(input)?.iso).toBe(expected);
  });

  test('when the offset is +0530, then the instant equals the one written with a colon', () => {
    expect(parseApiTimestamp('2020-01-14T12:51:48.000+0530')?.epochMs).toBe(Date.parse('2020-01-14T12:51:48.000+05:30'));
  });

  test.each([
    '2020-01-14T12:51:48.000', // no offset: guessing a zone would shift it silently
    '2020-02-30T12:00:00Z',
    '2020-13-01T12:00:00Z',
    '2020-01-14T24:00:00Z',
    '2020-01-14T12:51:48.000+2500',
    '14/01/2020 12:51',
    '',
  ])('when the API sends %p, then it is refused', (input) => {
    expect(parseApiTimestamp(input)).toBeUndefined();
  });
});
