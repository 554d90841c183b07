import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** What the PII-free views make of a stored error message (detractor_sync_scrub_pii). */
describe('e-mail addresses and phone numbers withheld from error messages for the PII-free role', () => {
  let tdb: TestDatabase;
  const scrub = async (message: string) =>
    (await tdb.query<{ s: string }>('SELECT detractor_sync_scrub_pii($1) AS s', [message]))[0]!.s;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  test.each(['+1 555 123 4567', '(555) 123-4567', '0049 30 1234567', '+44 20 7946 0958', '+1 555-123-4567'])(
    'when a message holds the phone number %s, then it is withheld',
    async (phone) => {
      expect(await scrub(`call ${phone} now`)).toBe('call [phone withheld] now');
    },
  );

  test('when a message holds an e-mail address, then it is withheld', async () => {
    expect(await scrub('contact jane.doe@example.com today')).toBe('contact [e-mail withheld] today');
  });

  test.each([
    'requestID 4b11991d-1234-5678-9012-0c31f802469d',
    'requestID 12345678-1234-5678-9012-123456789012',
    'at 2026-12-05 00:49:09, page 3',
  ])('when a message holds %s, then its digits are not taken for a phone number', async (message) => {
    expect(await scrub(message)).toBe(message);
  });
});
