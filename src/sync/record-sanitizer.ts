import { REPLACEMENT_CHARACTER, UNSTORABLE } from '../logging/storable-text.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

/**
 * Makes a record as the API sent it safe to store, before it is validated:
 * - secrets are removed by value (a proxy or a misconfigured field may echo the api-key);
 * - text PostgreSQL cannot hold becomes U+FFFD (the replacement character): NUL
 *   (`\u0000`, refused by text and jsonb) and lone UTF-16 surrogates (half an emoji,
 *   refused by jsonb and not valid UTF-8). The rest of the text is kept as sent, so a
 *   reader sees where something was replaced.
 * Keys are treated like values. The lossless original (secrets removed) is kept as
 * JSON text (`originalText`), where those characters are escapes, for quarantine.
 */
export interface SanitizedRecord {
  readonly record: unknown;
  /** JSON text of the record as received, secrets removed: always storable in a text column. */
  readonly originalText: string;
  /** Whether any text had to be replaced to be storable (secrets aside). */
  readonly repaired: boolean;
}

export function sanitizeRecord(record: unknown, redactor: SecretRedactor): SanitizedRecord {
  let repaired = false;
  const text = (value: string): string => {
    const redacted = redactor.redact(value);
    UNSTORABLE.lastIndex = 0;
    if (!UNSTORABLE.test(redacted)) return redacted;
    repaired = true;
    return redacted.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [text(key), walk(inner)]));
    }
    return value;
  };
  const clean = walk(record);
  // JSON.stringify escapes NUL and lone surrogates (\u0000, \ud83d), so this text is lossless and storable.
  const originalText = redactor.redact(JSON.stringify(record) ?? 'undefined');
  return { record: clean, originalText, repaired };
}
