/**
 * What an error response says about itself. QuestionPro documents a JSON envelope
 * `{"response":{"error":{name,id,message,...}},"requestID"}` but its own examples are
 * not valid JSON (`docs` is unquoted), and proxies in front of it answer HTML pages.
 * So this never throws: it takes what it can from JSON, then from the raw text.
 */
export interface ErrorBodyInfo {
  readonly name?: string;
  readonly id?: string;
  readonly message?: string;
  readonly requestId?: string;
}

const MAX_SNIPPET = 200;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function fromJson(parsed: unknown): ErrorBodyInfo | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const root = parsed as Record<string, unknown>;
  const response = root['response'] as Record<string, unknown> | undefined;
  const error = (response?.['error'] ?? root['error']) as Record<string, unknown> | undefined;
  return {
    name: asText(error?.['name']),
    id: asText(error?.['id']),
    message: asText(error?.['message']),
    requestId: asText(root['requestID']) ?? asText(root['requestId']),
  };
}

/** Reads `"key": "value"` or `"key": 123` out of text that is not valid JSON. */
function field(text: string, key: string): string | undefined {
  const match = new RegExp(`"${key}"\\s*:\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|(-?\\d+))`).exec(text);
  return match ? (match[1] ?? match[2]) : undefined;
}

function fromLooseText(text: string): ErrorBodyInfo {
  return {
    name: field(text, 'name'),
    id: field(text, 'id'),
    message: field(text, 'message'),
    requestId: field(text, 'requestID') ?? field(text, 'requestId'),
  };
}

function fromHtml(text: string): ErrorBodyInfo {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1];
  return { message: `HTML page${title ? `: ${title.trim()}` : ''}` };
}

export function parseErrorBody(text: string, contentType = ''): ErrorBodyInfo {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    const info = fromJson(JSON.parse(trimmed));
    if (info) return info;
  } catch {
    // Not JSON: fall through to the tolerant readers below.
  }
  if (/html/i.test(contentType) || /^<(!doctype|html)/i.test(trimmed)) return fromHtml(trimmed);
  const loose = fromLooseText(trimmed);
  if (loose.name || loose.message || loose.id) return loose;
  return { message: trimmed.replace(/\s+/g, ' ').slice(0, MAX_SNIPPET) };
}
