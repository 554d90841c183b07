import pg from 'pg';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';
import { upsertPageStatement, writePage } from '../db/sql/tickets.js';
import { generateTickets } from '../sim/ticket-generator.js';
import { toTicketRow, type TicketRow } from '../sync/transform.js';

/** Rows of the ticket shape, from the simulator's generator, in pages. */
export function benchRows(count: number, pageSize: number): TicketRow[][] {
  const rows = generateTickets(7, 9_000, 0, count).map((t) => {
    const result = toTicketRow(t);
    if (!result.ok) throw new Error(`generated ticket rejected: ${result.reason}`);
    return result.row;
  });
  const pages: TicketRow[][] = [];
  for (let i = 0; i < rows.length; i += pageSize) pages.push(rows.slice(i, i + pageSize).sort((a, b) => a.ticketId - b.ticketId));
  return pages;
}

async function reset(client: pg.Client): Promise<void> {
  await client.query('TRUNCATE detractor_ticket_versions, detractor_ticket_segments, detractor_tickets');
  await client.query('ANALYZE detractor_tickets');
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

const write = (pageRows: TicketRow[], runId: bigint) => ({
  runId,
  segmentId: 9_000,
  status: 0,
  requestId: 'bench',
  rows: pageRows,
  seenAt: new Date(),
  lastSeenResolutionMs: 3_600_000,
});

export interface WriterFigures {
  readonly load_rows_per_s: number;
  readonly ceiling_rows_per_s: number;
  readonly tickets_only_rows_per_s: number;
  readonly naive_rows_per_s: number;
  readonly naive_tickets_only_rows_per_s: number;
}

/**
 * The writer alone, against the same rows and batch size, measured side by side:
 * - load: our page statement through Prisma (`$queryRaw`), as the sync runs it;
 * - ceiling: the very same statement through a raw `pg` client (what Prisma costs);
 * - tickets only: a bare unnest upsert of the tickets table (what history and
 *   memberships cost on top);
 * - naive: the same work done row by row with Prisma (ticket `upsert`, membership
 *   `upsert`, version `create`), on a sample; and Prisma `upsert` per row of the
 *   tickets table alone (compare with "tickets only").
 */
export async function measureWriter(
  db: Db,
  url: string,
  runId: bigint,
  loadRows: number,
  pageSize: number,
  naiveSample: number,
): Promise<WriterFigures> {
  const pages = benchRows(loadRows, pageSize);
  const rows = pages.reduce((n, p) => n + p.length, 0);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Warm-up: plans cached, pool connected.
    await writePage(db, write(pages[0]!, runId));
    await reset(client);

    // Alternated, best of three each: both see the same cache and autovacuum weather.
    let loadSeconds = Number.POSITIVE_INFINITY;
    let ceilingSeconds = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      loadSeconds = Math.min(
        loadSeconds,
        await timed(async () => {
          for (const page of pages) await writePage(db, write(page, runId));
        }),
      );
      await reset(client);
      ceilingSeconds = Math.min(
        ceilingSeconds,
        await timed(async () => {
          for (const page of pages) {
            const statement = upsertPageStatement(write(page, runId));
            await client.query(
              statement.text,
              statement.values.map((v) => (typeof v === 'bigint' ? v.toString() : v)),
            );
          }
        }),
      );
      await reset(client);
    }
    const ticketsOnlySeconds = await timed(async () => {
      for (const page of pages) await client.query(TICKETS_ONLY_SQL, ticketsOnlyParams(page));
    });
    await reset(client);
    const sample = pages.flat().slice(0, naiveSample);
    const naiveSeconds = await timed(async () => {
      for (const row of sample) await naiveUpsert(db, row, runId, true);
    });
    await reset(client);
    const naiveTicketsSeconds = await timed(async () => {
      for (const row of sample) await naiveUpsert(db, row, runId, false);
    });
    await reset(client);
    return {
      load_rows_per_s: Math.round(rows / loadSeconds),
      ceiling_rows_per_s: Math.round(rows / ceilingSeconds),
      tickets_only_rows_per_s: Math.round(rows / ticketsOnlySeconds),
      naive_rows_per_s: Math.round(sample.length / naiveSeconds),
      naive_tickets_only_rows_per_s: Math.round(sample.length / naiveTicketsSeconds),
    };
  } finally {
    await client.end();
  }
}

const TICKETS_ONLY_SQL = `
INSERT INTO detractor_tickets AS t (ticket_id, response_id, email_address, phone_number, rating, comment, created_at,
  time_limit_hours, due_at, status, first_seen_at, last_seen_at, updated_at, raw)
SELECT ticket_id, response_id, email_address, phone_number, rating, comment, created_at, time_limit_hours,
       created_at + make_interval(hours => time_limit_hours), 0, now(), now(), now(), raw
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::timestamptz[], $8::integer[], $9::jsonb[])
  AS i(ticket_id, response_id, email_address, phone_number, rating, comment, created_at, time_limit_hours, raw)
ON CONFLICT (ticket_id) DO UPDATE SET comment = excluded.comment, rating = excluded.rating, raw = excluded.raw
WHERE (t.comment, t.rating, t.raw) IS DISTINCT FROM (excluded.comment, excluded.rating, excluded.raw)`;

function ticketsOnlyParams(page: TicketRow[]): unknown[] {
  return [
    page.map((r) => r.ticketId),
    page.map((r) => r.responseId),
    page.map((r) => r.emailAddress),
    page.map((r) => r.phoneNumber),
    page.map((r) => r.rating),
    page.map((r) => r.comment),
    page.map((r) => r.createdAt),
    page.map((r) => r.timeLimitHours),
    page.map((r) => r.raw),
  ];
}

async function naiveUpsert(db: Db, row: TicketRow, runId: bigint, sameWork: boolean): Promise<void> {
  const createdAt = new Date(row.createdAt);
  const now = new Date();
  const data = {
    responseId: BigInt(row.responseId),
    emailAddress: row.emailAddress,
    phoneNumber: row.phoneNumber,
    rating: row.rating,
    comment: row.comment,
    createdAt,
    timeLimitHours: row.timeLimitHours,
    dueAt: new Date(createdAt.getTime() + row.timeLimitHours * 3_600_000),
    status: 0,
    lastSeenAt: now,
    updatedAt: now,
    raw: JSON.parse(row.raw) as Prisma.InputJsonValue,
  };
  await db.detractorTicket.upsert({
    where: { ticketId: BigInt(row.ticketId) },
    create: { ticketId: BigInt(row.ticketId), firstSeenAt: now, ...data },
    update: data,
  });
  if (!sameWork) return;
  const key = { segmentId: 9_000n, status: 0, ticketId: BigInt(row.ticketId) };
  await db.detractorTicketSegment.upsert({
    where: { segmentId_status_ticketId: key },
    create: { ...key, firstSeenAt: now, lastSeenAt: now },
    update: { lastSeenAt: now, goneAt: null },
  });
  const { raw: _raw, lastSeenAt: _seen, updatedAt: _updated, ...fields } = data;
  await db.detractorTicketVersion.create({ data: { ticketId: BigInt(row.ticketId), validFrom: now, runId, ...fields } });
}
