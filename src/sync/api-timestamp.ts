/**
 * QuestionPro timestamps look like `2020-01-14T12:51:48.000+0000`: an offset without
 * a colon, which `Date.parse` does not reliably accept. Other endpoints use other
 * forms, so this reads any ISO-8601-like date-time with an explicit offset (`Z`,
 * `+0530`, `-07:00`) and returns the exact UTC instant, keeping microseconds, as an
 * ISO string PostgreSQL parses without loss. A timestamp without an offset is
 * rejected: guessing a zone would silently shift it.
 */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export interface ParsedTimestamp {
  /** Milliseconds since the epoch (sub-millisecond digits are in `iso`). */
  readonly epochMs: number;
  /** UTC, e.g. `2020-01-14T12:51:48.000000Z`. */
  readonly iso: string;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Date.UTC, except that years 0-99 stay years 0-99 (Date.UTC maps them to 1900-1999). */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** Instants a detractor ticket can plausibly carry; anything else is a broken source, not data. */
export const PLAUSIBLE_FROM_MS = Date.UTC(1970, 0, 1);
export const PLAUSIBLE_TO_MS = Date.UTC(2200, 0, 1);

export function isPlausibleInstant(epochMs: number): boolean {
  return epochMs >= PLAUSIBLE_FROM_MS && epochMs < PLAUSIBLE_TO_MS;
}

export function parseApiTimestamp(text: string): ParsedTimestamp | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', offset = 'Z'] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
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
  const wholeMs = utcMs(year, month, day, hour, minute, second) - offsetMinutes * 60_000;
  const epochMs = wholeMs + Math.floor(Number(micros) / 1000);
  // Years outside 0000-9999 print expanded (+010000-…): such instants fail isPlausibleInstant.
  const base = new Date(wholeMs).toISOString().replace(/\.\d{3}Z$/, '');
  return { epochMs, iso: `${base}.${micros}Z` };
}
