import { apiTicketSchema } from '../questionpro/ticket-schema.js';
import { describeZodError } from '../questionpro/response-schema.js';
import { parseApiTimestamp } from './api-timestamp.js';

/** A ticket ready for the database: typed, normalised, with its original record. */
export interface TicketRow {
  readonly ticketId: number;
  readonly responseId: number;
  readonly emailAddress: string | null;
  readonly phoneNumber: string | null;
  readonly rating: number | null;
  readonly comment: string;
  /** UTC ISO string with microseconds; exact whatever offset the API used. */
  readonly createdAt: string;
  readonly timeLimitHours: number;
  /** The record exactly as received, as JSON text. */
  readonly raw: string;
}

export type TransformResult = { readonly ok: true; readonly row: TicketRow } | { readonly ok: false; readonly reason: string };

function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** `""` means "no rating"; anything else must be an NPS score 0-10. */
function parseRating(value: string): number | null | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (!/^\d{1,2}$/.test(trimmed)) return undefined;
  const rating = Number(trimmed);
  return rating <= 10 ? rating : undefined;
}

export function toTicketRow(record: unknown): TransformResult {
  const parsed = apiTicketSchema.safeParse(record);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  const t = parsed.data;

  const rating = parseRating(t.rating);
  if (rating === undefined) return { ok: false, reason: `rating: ${JSON.stringify(t.rating)} is not an NPS score 0-10 or ""` };
  const createdAt = parseApiTimestamp(t.timestamp);
  if (!createdAt) return { ok: false, reason: `timestamp: ${JSON.stringify(t.timestamp)} is not a date-time with an offset` };

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

/**
 * Postgres refuses to update one row twice in a statement, and a page may repeat a
 * ticket while the list shifts: keep the last occurrence of each ticketID. Sorted by
 * id so concurrent writers lock rows in the same order (no deadlocks).
 */
export function dedupeByTicketId(rows: readonly TicketRow[]): TicketRow[] {
  const byId = new Map<number, TicketRow>();
  for (const row of rows) byId.set(row.ticketId, row);
  return [...byId.values()].sort((a, b) => a.ticketId - b.ticketId);
}
