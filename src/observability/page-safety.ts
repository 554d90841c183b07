/**
 * Everything the status page puts out passes here. The page has no login, so no value
 * may become markup and no error message may show personal data.
 *
 * Markup: HTML and SVG are built by one tagged template, `html`, that escapes every
 * value put into it, so a value cannot become markup by a forgotten escape: only what
 * another `html` template made (or `trusted`, for fixed strings of the code) passes as
 * it is.
 *
 * Error messages: already free of secrets (the run store redacts them), but not always
 * of personal data: when the API answers 200 with a body that does not parse (a page
 * of tickets cut short), the message quotes the body's start, e-mail addresses and
 * comments included. `npm run status` needs the database's credentials and shows the
 * message whole; the page shows `publicMessage`, without such excerpts and e-mails.
 */

/** Markup made by `html` (or `trusted`): what may go into a page as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A value as markup: Html as it is, arrays joined, nothing for null/undefined/false, else escaped text. */
function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return escapeHtml(value.toISOString());
  return escapeHtml(JSON.stringify(value) ?? '');
}

/** A template whose values are escaped (see above). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** A fixed string of the code (a style sheet) taken as markup. Never for data. */
export function trusted(text: string): Html {
  return new Html(text);
}

/** The start of a JSON object or array quoted from an answer: `{"response":[{"emailAddress":...`. */
const RAW_ANSWER = /[[{]\s*"/;
/** What follows the quoted excerpt in an API error's message (see api-error.ts). */
const AFTER_EXCERPT = /"(?:, [A-Z][A-Z0-9_]*)?, requestID \S+$/;
// Any word with an @ inside, also one cut short by the report's 300 characters (no domain dot then).
const EMAIL = /[^\s"'<>(),;:@[\]]+@[^\s"'<>(),;:@[\]]*/g;

// A phone number: seven digits or more with at most two separators between them, not
// inside a word or a number, nor hyphen-joined to one (the digit groups of a UUID such
// as a requestID), not a UUID, not a date. The same rule as detractor_sync_scrub_pii().
const PHONE =
  /(?<![\p{L}\p{N}]|[\p{L}\p{N}]-)(?!\d{4}-\d{2}-\d{2})(?![\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12})\+?\(?\d(?:[ ().-]{0,2}\d){6,}(?!-?[\p{L}\p{N}])/gu;

export const WITHHELD_ANSWER = '[answer excerpt withheld]';
export const WITHHELD_EMAIL = '[e-mail withheld]';
export const WITHHELD_PHONE = '[phone withheld]';

/** A stored error message as the page may show it: quoted answers, e-mail addresses and phone numbers withheld. */
export function publicMessage(message: string): string {
  let text = message;
  const start = text.search(RAW_ANSWER);
  if (start >= 0) {
    // Keep what comes after the excerpt (the network code and the request ID): it finds the call in the logs.
    const tail = AFTER_EXCERPT.exec(text.slice(start))?.[0] ?? '';
    text = `${text.slice(0, start)}${WITHHELD_ANSWER}${tail}`;
  }
  return text.replace(EMAIL, WITHHELD_EMAIL).replace(PHONE, WITHHELD_PHONE);
}
