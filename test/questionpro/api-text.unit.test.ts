import { describe, expect, test } from '@jest/globals';
import { ApiText, MAX_API_TEXT, WITHHELD_IDENTIFIER } from '../../src/questionpro/api-text.js';
import { SecretRedactor } from '../../src/logging/secret-redactor.js';

const KEY = 'gate-key-31c7b9e0-never-kept';
const gate = new ApiText(new SecretRedactor([KEY]));

describe('the gate for text from the API', () => {
  test.each(['4012fedc-e8ce-48ae-b800-6q5ce287987a7dje', '1010', 'req_01J8ZK.3:a/b'])(
    'when %s is an identifier, then it passes as sent',
    (id) => {
      expect(gate.identifier(id)).toBe(id);
    },
  );

  test.each([
    ['the api-key', KEY],
    ['the api-key inside', `x-${KEY}-y`],
    ['a NUL', 'abc\u0000def'],
    ['markup', '<script>alert(1)</script>'],
    ['an e-mail address', 'jane.doe@example.com'],
    ['text', 'not an id at all'],
    ['something too long', 'a'.repeat(129)],
  ])('when an identifier holds %s, then it is withheld', (_, value) => {
    expect(gate.identifier(value)).toBe(WITHHELD_IDENTIFIER);
  });

  test('when free text echoes the key, holds a NUL and a lone surrogate, and runs long, then it is redacted, storable and bounded', () => {
    const text = gate.text(`${KEY} said \u0000 and \ud83d ${'x'.repeat(2 * MAX_API_TEXT)}`)!;
    expect(text).not.toContain(KEY);
    expect(text.startsWith('[redacted] said \uFFFD and \uFFFD ')).toBe(true);
    expect(text).toHaveLength(MAX_API_TEXT);
    expect(gate.text(undefined)).toBeUndefined();
  });
});
