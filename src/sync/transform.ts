import { isUnsafeIntegerText } from '../questionpro/json-text.js';
import { apiTicketSchema } from '../questionpro/ticket-schema.js';
import { describeZodError } from '../questionpro/response-schema.js';
import type { TicketRow } from '../db/sql/tickets.js';
import { isPlausibleInstant, parseApiTimestamp } from './api-timestamp.js';

export type { TicketRow } from '../db/sql/tickets.js';

export type TransformResult = { readonly ok: true; readonly row: TicketRow } | { readonly ok: false; readonly reason: string };

function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** `""` means "no rating"; anything else must be the respondent's 0-10 answer (a detractor's is 0-6). */
function parseRating(value: string): number | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!/^\d{1,2}$/.test(trimmed)) return undefined;
  const rating = Number(trimmed);
  return rating <= 10 ? rating : undefined;
}

/** IDs beyond 2^53 - 1 arrive as exact digit strings (json-text.ts): say so rather than "expected number". */
function unsafeIdReason(record: unknown): string | undefined {
  for (const field of ['ticketID', 'responseID'] as const) {
    const value = (record as Record<string, unknown> | null)?.[field];
    if (isUnsafeIntegerText(value)) return `${field}: ${value} is beyond 2^53 - 1 and cannot be read exactly`;
  }
  return undefined;
}

/**
 * Validates and converts one record (already made storable by record-sanitizer.ts).
 * Anything it cannot convert exactly is refused with a reason naming the field.
 */
export function toTicketRow(record: unknown): TransformResult {
  const unsafeId = unsafeIdReason(record);
  if (unsafeId) return { ok: false, reason: unsafeId };
  const parsed = apiTicketSchema.safeParse(record);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  const t = parsed.data;

  const rating = parseRating(t.rating);
  if (rating === undefined) return { ok: false, reason: `rating: ${JSON.stringify(t.rating)} is not a 0-10 rating or ""` };
  const createdAt = parseApiTimestamp(t.timestamp);
  if (!createdAt) return { ok: false, reason: `timestamp: ${JSON.stringify(t.timestamp)} is not a date-time with an offset` };
  if (!isPlausibleInstant(createdAt.epochMs)) {
    return { ok: false, reason: `timestamp: ${JSON.stringify(t.timestamp)} is outside the plausible range 1970-2200` };
  }

  return {
    ok: true,
    row: {
      ticketId: t.ticketID,
      responseId: t.responseID,
      emailAddress: blankToNull(t.emailAddress),
      phoneNumber: blankToNull(t.phoneNumber),
      rating,
      comment: t.comment,
      createdAt: createdAt.iso,
      timeLimitHours: t.timelimit,
      raw: JSON.stringify(record),
    },
  };
}
