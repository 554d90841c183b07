/**
 * Text PostgreSQL cannot hold: NUL (`\u0000`, refused by text and jsonb) and lone
 * UTF-16 surrogates (half an emoji: not valid UTF-8, refused by jsonb). Each becomes
 * U+FFFD, the replacement character, so a reader sees where something was replaced.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
export const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const REPLACEMENT_CHARACTER = '\uFFFD';

export function storableText(value: string): string {
  return value.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
}
