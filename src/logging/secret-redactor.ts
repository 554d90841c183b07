/**
 * Removes secrets by value, wherever they appear. Field-path redaction (pino's
 * `redact`) only catches a secret under a known key; a proxy's error page, an API
 * error message or a record may echo the api-key anywhere in free text. So every log
 * line, stored error and stored record passes through here.
 *
 * Each secret is matched as written, JSON-escaped (inside a serialized log line) and
 * URL-encoded (inside an echoed URL). Secrets shorter than MIN_LENGTH are ignored:
 * redacting a two-letter password would shred every line without protecting much.
 * A short secret (under STRONG_LENGTH, typically a password such as "postgres") is
 * matched as a whole word only, so "postgresql://" stays readable; a long one (an API
 * key) is removed wherever it appears, even glued to other text.
 */
export const REDACTED = '[redacted]';
const MIN_LENGTH = 4;
const STRONG_LENGTH = 12;

export class SecretRedactor {
  private readonly pattern: RegExp | undefined;

  constructor(secrets: ReadonlyArray<string | undefined>) {
    const forms = new Map<string, boolean>(); // form -> whole word only
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_LENGTH) continue;
      for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
        forms.set(form, secret.length < STRONG_LENGTH);
      }
    }
    // Longest first, so a secret containing another is removed whole.
    const sorted = [...forms].sort(([a], [b]) => b.length - a.length);
    const alternatives = sorted.map(([form, word]) =>
      word ? `(?<![\\p{L}\\p{N}])${escapeRegExp(form)}(?![\\p{L}\\p{N}])` : escapeRegExp(form),
    );
    this.pattern = alternatives.length ? new RegExp(alternatives.join('|'), 'gu') : undefined;
  }

  /** A redactor that knows no secret (tests, tools without credentials). */
  static readonly none = new SecretRedactor([]);

  get active(): boolean {
    return this.pattern !== undefined;
  }

  redact(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return this.pattern.test(text) ? text.replace(this.pattern, REDACTED) : text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The secrets of a connection or API URL: its password, or, when there is no
 * password, its user (`https://TOKEN@host/` puts a token there).
 */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const secret = parsed.password || parsed.username;
    return secret ? [decodeURIComponent(secret), secret] : [];
  } catch {
    return [];
  }
}

/** Path segments and query values this long are taken for tokens: Slack's is 24 characters, Mattermost's 26. */
const TOKEN_LENGTH = 16;

/**
 * The secrets of a webhook URL: the whole URL, its credentials, everything after the
 * host (Slack and Mattermost put the token in the path, others in the query), and each
 * path segment or query value long enough to be a token, so a receiver's error page
 * that echoes a part of it is caught too.
 */
export function webhookSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const rest = parsed.pathname + parsed.search;
    const parts = [
      ...parsed.pathname.split('/').map((segment) => decodeURIComponent(segment)),
      ...[...parsed.searchParams.values()],
    ].filter((part) => part.length >= TOKEN_LENGTH);
    return [url, ...urlSecrets(url), ...(rest.length > 1 ? [rest] : []), ...parts];
  } catch {
    return [url];
  }
}
