import { SecretRedactor } from '../logging/secret-redactor.js';
import { storableText } from '../logging/storable-text.js';

/**
 * The one gate for text the API sends that is stored or shown: request IDs, error
 * names, ids and messages (records pass record-sanitizer.ts, which uses the same two
 * steps). Whatever a server puts there (an echo of the api-key, a NUL, a screenful of
 * HTML) leaves it with the secrets removed by value, storable in PostgreSQL, bounded in
 * length; what should be an identifier and does not look like one is withheld.
 */
export const MAX_API_TEXT = 1_000;
export const MAX_IDENTIFIER = 128;
/** What a request ID or error id looks like: a UUID, a number, a code. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
export const WITHHELD_IDENTIFIER = '[withheld: not an identifier]';

export class ApiText {
  constructor(private readonly redactor: SecretRedactor = SecretRedactor.none) {}

  /** Free text (an error's name or message): secrets out, storable, at most MAX_API_TEXT characters. */
  text(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const clean = storableText(this.redactor.redact(value));
    return clean.length > MAX_API_TEXT ? `${clean.slice(0, MAX_API_TEXT - 1)}…` : clean;
  }

  /** An identifier (a requestID, an error id): as sent when it looks like one, else withheld. */
  identifier(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const clean = this.redactor.redact(value);
    return clean.length <= MAX_IDENTIFIER && IDENTIFIER.test(clean) ? clean : WITHHELD_IDENTIFIER;
  }

  /** A record's string (any field, any key): secrets out, storable; no bound (comments are long). */
  recordText(value: string): string {
    return storableText(this.redactor.redact(value));
  }
}
