import { expect } from '@jest/globals';
import type { QuestionProSimulator } from '../../src/sim/server.js';
import type { TestDatabase } from './database.js';
import { differences, ticketRows } from './expectations.js';

export interface TruthReport {
  readonly lost: number[];
  readonly duplicated: number;
  readonly falselyGone: string[];
  readonly wrong: string[];
}

/**
 * The database against the simulator's truth, ticket by ticket, for the given lists:
 * every ticket in a list is stored with that list's status and data (none lost), no
 * membership is stored twice, and no membership of a ticket still in its list is gone.
 */
export async function compareWithSource(
  sim: QuestionProSimulator,
  tdb: TestDatabase,
  lists: Array<[number, number]>,
): Promise<TruthReport> {
  const rows = await ticketRows(tdb);
  const memberships = await tdb.query<{ segment_id: string; status: number; ticket_id: string; gone_at: Date | null; n: number }>(
    `SELECT segment_id, status, ticket_id, max(gone_at) AS gone_at, count(*)::int AS n
     FROM detractor_ticket_segments GROUP BY segment_id, status, ticket_id`,
  );
  const membership = new Map(memberships.map((m) => [`${m.segment_id}/${m.status}/${m.ticket_id}`, m]));
  const lost: number[] = [];
  const wrong: string[] = [];
  const falselyGone: string[] = [];
  for (const [segmentId, status] of lists) {
    for (const ticket of sim.list(segmentId, status)) {
      const row = rows.get(ticket.ticketID);
      const m = membership.get(`${segmentId}/${status}/${ticket.ticketID}`);
      if (!row || !m) {
        lost.push(ticket.ticketID);
        continue;
      }
      wrong.push(...differences(row, ticket, status));
      if (m.gone_at !== null) falselyGone.push(`${segmentId}/${status}/${ticket.ticketID}`);
    }
  }
  return { lost, duplicated: memberships.filter((m) => m.n > 1).length, falselyGone, wrong };
}

export async function expectMatchesSource(
  sim: QuestionProSimulator,
  tdb: TestDatabase,
  lists: Array<[number, number]>,
): Promise<void> {
  expect(await compareWithSource(sim, tdb, lists)).toEqual({ lost: [], duplicated: 0, falselyGone: [], wrong: [] });
}

/** Memberships marked gone, as "segment/status/ticket". */
export async function goneMemberships(tdb: TestDatabase): Promise<string[]> {
  const rows = await tdb.query<{ key: string }>(
    `SELECT segment_id || '/' || status || '/' || ticket_id AS key FROM detractor_ticket_segments WHERE gone_at IS NOT NULL ORDER BY 1`,
  );
  return rows.map((r) => r.key);
}
