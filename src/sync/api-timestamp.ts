/**
 * QuestionPro timestamps look like `2020-01-14T12:51:48.000+0000`: an offset without
 * a colon, which `Date.parse` does not reliably accept. Other endpoints use other
 * forms, so this reads any ISO-8601-like date-time with an explicit offset (`Z`,
 * `+0530`, `-07:00`) and returns the exact UTC instant, keeping microseconds, as an
 * ISO string PostgreSQL parses without loss. A timestamp without an offset is
 * rejected: guessing a zone would silently shift it.
 */
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export interface ParsedTimestamp {
  /** Milliseconds since the epoch (sub-millisecond digits are in `iso`). */
  readonly epochMs: number;
  /** UTC, e.g. `2020-01-14T12:51:48.000000Z`. */
  readonly iso: string;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseApiTimestamp(text: string): ParsedTimestamp | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', offset = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  let offsetMinutes = 0;
  if (offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 18 || om > 59) return undefined;
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const micros = (frac + '000000').slice(0, 6);
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const epochMs = wholeMs + Math.floor(Number(micros) / 1000);
  const base = new Date(wholeMs).toISOString().slice(0, 19);
  return { epochMs, iso: `${base}.${micros}Z` };
}
