/**
 * JSON.parse, except that an integer literal too large for a JS number (above
 * 2^53 - 1, which JSON.parse would silently round to a neighbour) is kept as a
 * string of its exact digits. A ticketID of 9007199254740993 must not become
 * 9007199254740992 and be stored as another ticket: as a string it fails validation
 * by name and is quarantined with its exact value.
 */
export function parseJsonExact(text: string): unknown {
  // Fast path: no run of 16 digits, no integer beyond 2^53 (a 16-digit maximum).
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return JSON.parse(quoteUnsafeIntegers(text));
}

/**
 * Strings are matched whole first, so digits inside them are never touched; an integer
 * token (not the fraction or exponent of another number) beyond the safe range
 * becomes a JSON string.
 */
const TOKENS = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d+(?![.\deE])/g;

function quoteUnsafeIntegers(text: string): string {
  return text.replace(TOKENS, (token) => {
    if (token.startsWith('"') || token.replace('-', '').length < 16) return token;
    const value = BigInt(token);
    return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER) ? `"${token}"` : token;
  });
}

/** For validation messages: the field holds the exact digits of an integer beyond 2^53 - 1. */
export function isUnsafeIntegerText(value: unknown): value is string {
  if (typeof value !== 'string' || !/^-?\d{16,}$/.test(value)) return false;
  const n = BigInt(value);
  return n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER);
}
