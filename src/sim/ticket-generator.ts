import { createPrng, type Prng } from './prng.js';

/** One detractor ticket exactly as the endpoint documents it (no extra fields). */
export interface SimTicket {
  emailAddress: string;
  phoneNumber: string;
  rating: string;
  comment: string;
  ticketID: number;
  responseID: number;
  timestamp: string;
  timelimit: number;
}

// ID layout, every ID below 2^53 (~9.007e15) and no two alike, without a shared counter:
//   list ticketIDs     segment * 1e9 + status * 1e6 + index + 1    [1, 3.000001e15]
//   endless ticketIDs  ENDLESS_TICKET_BASE + n + 1                 (3.001e15, 4e15)
//   responseIDs        RESPONSE_ID_OFFSET + ticketID               (5e15, 9e15)
// A list of 1M tickets fills its status's slots [status*1e6 + 1, (status+1)*1e6]
// exactly, so lists tile the space. ticketIDs are a contract (tests and docs/data-model.md
// examples name them); responseIDs sit in a range of their own so they never meet.
const MAX_SEGMENT_ID = 3_000_000;
const MAX_STATUS = 999;
export const MAX_GENERATED_PER_LIST = 1_000_000;
const RESPONSE_ID_OFFSET = 5_000_000_000_000_000;
const ENDLESS_TICKET_BASE = 3_001_000_000_000_000;
const MAX_ENDLESS_TICKETS = 4_000_000_000_000_000 - ENDLESS_TICKET_BASE;

// Tickets are spread from this instant onwards, oldest first, about one every 2 hours.
const FIRST_TICKET_AT = Date.UTC(2024, 2, 1, 8, 0, 0);
const TICKET_SPACING_MS = 2 * 60 * 60 * 1000;

/**
 * When a list's tickets were created: ticket `index` (0 the oldest) at a random second
 * of the slot [createdFrom + index * spacingMs, + spacingMs). The default dates every
 * list from March 2024, which tests rely on; the demo dates its lists from its anchor.
 */
export interface TicketDating {
  /** Epoch milliseconds: the start of the oldest ticket's slot. */
  readonly createdFrom: number;
  /** Whole seconds, in milliseconds: a ticket's time is drawn to the second. */
  readonly spacingMs: number;
}

const DEFAULT_DATING: TicketDating = { createdFrom: FIRST_TICKET_AT, spacingMs: TICKET_SPACING_MS };
// Endless tickets reuse these many time slots (~23 years), so timestamps stay plausible.
const ENDLESS_TIME_SLOTS = 100_000;

// Every 100th ticket (this one and each 100 later) carries a ~5 kB comment, so any
// list of 38+ tickets has at least one, without depending on luck.
const LONG_COMMENT_SLOT = 37;

const COMMENTS = [
  'Staff was rude',
  'The food service was poor',
  'Waited 45 minutes on hold 😡',
  'Le service était très lent — vraiment déçu.',
  'Der Kellner war unhöflich, und das Essen war kalt.',
  '対応が遅すぎます。二度と利用しません。',
  '¿Por qué me cobraron dos veces?',
  'Он сказал «мы закрыты» в 8 вечера',
  'He said "we\'re closed" at 8pm, the sign says 10pm.',
  "It's the third time the app 'forgot' my order",
  'Price went up 20% and nobody told me 🤷‍♀️',
  'Receipt never arrived 🧾👎👎',
  'Line one\nLine two: the app crashed twice',
  'Path C:\\Users\\me and a\ttab, copied from the help desk',
  "Robert'); DROP TABLE tickets;--",
  '',
] as const;

const FIRST_NAMES = ['ana', 'bob', 'chen', 'dana', 'emeka', 'farah', 'goran', 'hana'] as const;
const LAST_NAMES = ['smith', 'garcia', 'nguyen', 'okafor', 'kowalski', 'tanaka'] as const;
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'cx-test.example'] as const;

// Offsets in minutes east of UTC. Mostly UTC like the vendor's example, but not only:
// other QuestionPro endpoints use other offsets and formats, so none may be assumed.
const OFFSET_MINUTES = [330, -420, 60] as const;

/**
 * The first `count` tickets of the list (segmentId, status), newest first (the
 * served order). Deterministic in (seed, segmentId, status, count, dating), and stable
 * as the list grows: generate(n + k) is k newer tickets followed by generate(n), which
 * is how a test gets "new detractors" that fit after the ones already stored. Another
 * `dating` moves the timestamps only: every other field stays the same.
 */
export function generateTickets(
  seed: number,
  segmentId: number,
  status: number,
  count: number,
  dating: TicketDating = DEFAULT_DATING,
): SimTicket[] {
  checkRange('segmentId', segmentId, 0, MAX_SEGMENT_ID);
  checkRange('status', status, 0, MAX_STATUS);
  checkRange('count', count, 0, MAX_GENERATED_PER_LIST);
  checkDating(dating, count);
  const listBase = segmentId * 1_000_000_000 + status * 1_000_000;
  const tickets = new Array<SimTicket>(count);
  for (let index = count - 1; index >= 0; index--) {
    const ticketID = listBase + index + 1;
    tickets[count - 1 - index] = buildTicket(createPrng(seed, segmentId, status, index), index, index, ticketID, dating);
  }
  return tickets;
}

/**
 * The n-th ticket of a list that never ends (the 'endless' fault): a valid ticket
 * whose IDs no generated list and no other n can have.
 */
export function endlessTicket(seed: number, n: number): SimTicket {
  checkRange('endless ticket number', n, 0, MAX_ENDLESS_TICKETS - 1);
  return buildTicket(createPrng(seed, ENDLESS_TICKET_BASE, n), n, n % ENDLESS_TIME_SLOTS, ENDLESS_TICKET_BASE + n + 1);
}

// The draws happen in a fixed order (time, email, phone, rating, comment, offset,
// time limit): changing it would change every generated ticket. The time is one draw
// whatever the spacing, so a dating changes no other field.
function buildTicket(rng: Prng, index: number, timeSlot: number, ticketID: number, dating = DEFAULT_DATING): SimTicket {
  const { createdFrom, spacingMs } = dating;
  const createdAt = createdFrom + timeSlot * spacingMs + rng.int(0, spacingMs / 1000 - 1) * 1000;
  return {
    emailAddress: rng.chance(0.15) ? '' : email(rng, index),
    phoneNumber: rng.chance(0.85) ? '' : `+1 555 01${PAD2[rng.int(0, 99)]!}`,
    rating: rng.chance(0.08) ? '' : RATINGS[rng.int(0, 6)]!,
    comment: index % 100 === LONG_COMMENT_SLOT ? longComment(index) : rng.pick(COMMENTS),
    ticketID,
    responseID: RESPONSE_ID_OFFSET + ticketID,
    timestamp: formatVendorTimestamp(createdAt, rng.chance(0.75) ? 0 : rng.pick(OFFSET_MINUTES)),
    timelimit: rng.chance(0.8) ? 72 : rng.pick([24, 48]),
  };
}

// Module-level aliases and templates instead of String(): see prng.ts on jest's globals.
const { abs: absolute, floor, trunc } = Math;
const RATINGS = ['0', '1', '2', '3', '4', '5', '6'] as const;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;

/**
 * The vendor's format, `2020-01-14T12:51:48.000+0000`: the local time at that offset,
 * then the offset without a colon. Computed by arithmetic and joined in one piece
 * rather than via Date#toISOString and concatenation: a million tickets stay in RAM,
 * and V8 keeps a concatenated string as a tree of parts, about three times its size.
 * Years 0000-9999 only, the range the four-digit format can write.
 */
export function formatVendorTimestamp(epochMs: number, offsetMinutes: number): string {
  const local = trunc(epochMs) + offsetMinutes * 60_000; // Date truncates too
  const days = floor(local / DAY_MS);
  const msOfDay = local - days * DAY_MS;
  const ms = msOfDay % 1000;
  const seconds = (msOfDay - ms) / 1000;
  const [year, month, day] = civilFromDays(days);
  const abs = absolute(offsetMinutes);
  return [
    `${year}`.padStart(4, '0'),
    '-',
    PAD2[month],
    '-',
    PAD2[day],
    'T',
    PAD2[floor(seconds / 3600)],
    ':',
    PAD2[floor(seconds / 60) % 60],
    ':',
    PAD2[seconds % 60],
    '.',
    PAD3[ms],
    offsetMinutes < 0 ? '-' : '+',
    PAD2[floor(abs / 60)],
    PAD2[abs % 60],
  ].join('');
}

// Days since 1970-01-01 to a proleptic Gregorian (year, month, day): Howard Hinnant's
// civil_from_days, the same calendar Date uses.
function civilFromDays(daysSinceEpoch: number): [number, number, number] {
  const z = daysSinceEpoch + 719_468;
  const era = floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = floor((doe - floor(doe / 1460) + floor(doe / 36_524) - floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
  const mp = floor((5 * doy + 2) / 153);
  const day = doy - floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

// Joined for the same reason as the timestamp: one flat string per ticket.
function email(rng: Prng, index: number): string {
  const tag = rng.chance(0.2) ? '+cx' : '';
  return [rng.pick(FIRST_NAMES), '.', rng.pick(LAST_NAMES), `${index}`, tag, '@', rng.pick(DOMAINS)].join('');
}

function longComment(index: number): string {
  const sentence = `Ticket ${index}: the delivery was late again, the driver was rude, and the refund “is being processed” since weeks — très décevant 😞. `;
  return sentence.repeat(Math.ceil(5000 / sentence.length));
}

const GENERATED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

/**
 * The instant of a timestamp this generator wrote (`formatVendorTimestamp`'s format
 * only): Date.parse reads the offset once it has its colon.
 */
export function vendorTimestampMs(timestamp: string): number {
  if (!GENERATED_TIMESTAMP.test(timestamp)) throw new RangeError(`not a generated timestamp: ${timestamp}`);
  return Date.parse(`${timestamp.slice(0, -2)}:${timestamp.slice(-2)}`);
}

// Every ticket's time must be one the four-digit format can write.
const LATEST_MS = Date.UTC(9999, 11, 30);

function checkDating({ createdFrom, spacingMs }: TicketDating, count: number): void {
  if (!Number.isSafeInteger(spacingMs) || spacingMs < 1000 || spacingMs % 1000 !== 0) {
    throw new RangeError(`spacingMs must be a positive whole number of seconds in milliseconds, got ${spacingMs}`);
  }
  if (!Number.isSafeInteger(createdFrom) || createdFrom < 0 || createdFrom + count * spacingMs > LATEST_MS) {
    throw new RangeError(`createdFrom must date ${count} tickets between 1970 and 9999, got ${createdFrom}`);
  }
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}] to generate tickets, got ${value}`);
  }
}
