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

// ID layout: segment * 1e9 + status * 1e6 + slot. It keeps IDs of different lists
// apart without any shared counter, and the bounds keep every ID below 2^53
// (9_000_000 * 1e9 + 999 * 1e6 + 1e6 ~ 9.0010e15 < 9.0072e15).
const MAX_SEGMENT_ID = 9_000_000;
const MAX_STATUS = 999;
/** Slots [0, 500k) are ticket IDs, [500k, 1M) the matching response IDs. */
export const MAX_GENERATED_PER_LIST = 500_000;

// Tickets are spread from this instant onwards, oldest first, about one every 2 hours.
const FIRST_TICKET_AT = Date.UTC(2024, 2, 1, 8, 0, 0);
const TICKET_SPACING_MS = 2 * 60 * 60 * 1000;

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
// NOTES.md warns that the offset must not be assumed.
const OFFSET_MINUTES = [330, -420, 60] as const;

/**
 * The first `count` tickets of the list (segmentId, status), newest first (the
 * served order). Deterministic in (seed, segmentId, status, count), and stable as
 * the list grows: generate(n + k) is k newer tickets followed by generate(n), which
 * is how a test gets "new detractors" that fit after the ones already stored.
 */
export function generateTickets(seed: number, segmentId: number, status: number, count: number): SimTicket[] {
  checkRange('segmentId', segmentId, 0, MAX_SEGMENT_ID);
  checkRange('status', status, 0, MAX_STATUS);
  checkRange('count', count, 0, MAX_GENERATED_PER_LIST);
  const tickets: SimTicket[] = [];
  for (let index = count - 1; index >= 0; index--) {
    tickets.push(generateTicket(seed, segmentId, status, index));
  }
  return tickets;
}

function generateTicket(seed: number, segmentId: number, status: number, index: number): SimTicket {
  const rng = createPrng(seed, segmentId, status, index);
  const listBase = segmentId * 1_000_000_000 + status * 1_000_000;
  const createdAt = FIRST_TICKET_AT + index * TICKET_SPACING_MS + rng.int(0, TICKET_SPACING_MS / 1000 - 1) * 1000;
  return {
    emailAddress: rng.chance(0.15) ? '' : email(rng, index),
    phoneNumber: rng.chance(0.85) ? '' : `+1 555 01${String(rng.int(0, 99)).padStart(2, '0')}`,
    rating: rng.chance(0.08) ? '' : String(rng.int(0, 6)),
    comment: index % 100 === LONG_COMMENT_SLOT ? longComment(index) : rng.pick(COMMENTS),
    ticketID: listBase + index + 1,
    responseID: listBase + MAX_GENERATED_PER_LIST + index + 1,
    timestamp: formatVendorTimestamp(createdAt, rng.chance(0.75) ? 0 : rng.pick(OFFSET_MINUTES)),
    timelimit: rng.chance(0.8) ? 72 : rng.pick([24, 48]),
  };
}

/**
 * The vendor's format, `2020-01-14T12:51:48.000+0000`: the local time at that offset,
 * then the offset without a colon.
 */
export function formatVendorTimestamp(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}${mm}`;
}

function email(rng: Prng, index: number): string {
  const tag = rng.chance(0.2) ? '+cx' : '';
  return `${rng.pick(FIRST_NAMES)}.${rng.pick(LAST_NAMES)}${index}${tag}@${rng.pick(DOMAINS)}`;
}

function longComment(index: number): string {
  const sentence = `Ticket ${index}: the delivery was late again, the driver was rude, and the refund “is being processed” since weeks — très décevant 😞. `;
  return sentence.repeat(Math.ceil(5000 / sentence.length));
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}] to generate tickets, got ${value}`);
  }
}
