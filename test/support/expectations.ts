import type { SimTicket } from '../../src/sim/ticket-generator.js';
import type { TestDatabase } from './database.js';

/** An independent reading of the vendor format: insert the offset's colon and let Date parse it. */
export function expectedEpochMs(timestamp: string): number {
  return Date.parse(timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export interface TicketDbRow {
  ticket_id: string;
  response_id: string;
  email_address: string | null;
  phone_number: string | null;
  rating: number | null;
  comment: string;
  created_at: Date;
  time_limit_hours: number;
  due_at: Date;
  status: number;
  raw: unknown;
}

export async function ticketRows(tdb: TestDatabase): Promise<Map<number, TicketDbRow>> {
  const rows = await tdb.query<TicketDbRow & Record<string, unknown>>(
    `SELECT ticket_id, response_id, email_address, phone_number, rating, comment, created_at,
            time_limit_hours, due_at, status, raw FROM detractor_tickets`,
  );
  return new Map(rows.map((r) => [Number(r.ticket_id), r]));
}

/** Compares one stored row with the simulator's record, field by field; returns the differences. */
export function differences(row: TicketDbRow | undefined, truth: SimTicket, status: number): string[] {
  if (!row) return [`ticket ${truth.ticketID} missing`];
  const diffs: string[] = [];
  const check = (field: string, actual: unknown, expected: unknown) => {
    if (actual !== expected)
      diffs.push(`ticket ${truth.ticketID} ${field}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
  };
  const created = expectedEpochMs(truth.timestamp);
  check('response_id', Number(row.response_id), truth.responseID);
  check('email_address', row.email_address, truth.emailAddress.trim() === '' ? null : truth.emailAddress.trim());
  check('phone_number', row.phone_number, truth.phoneNumber.trim() === '' ? null : truth.phoneNumber.trim());
  check('rating', row.rating, truth.rating === '' ? null : Number(truth.rating));
  check('comment', row.comment, truth.comment);
  check('created_at', row.created_at.getTime(), created);
  check('time_limit_hours', row.time_limit_hours, truth.timelimit);
  check('due_at', row.due_at.getTime(), created + truth.timelimit * 3_600_000);
  check('status', row.status, status);
  check('raw', JSON.stringify(row.raw), JSON.stringify(sortKeys(truth)));
  return diffs;
}

/** jsonb stores keys ordered by length then bytes; compare on a canonical form. */
function sortKeys(value: object): unknown {
  const entries = Object.entries(value).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
