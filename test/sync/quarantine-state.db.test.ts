import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import { Prisma } from '../../src/generated/prisma/client.js';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/db/migrate.js';
import type { Db } from '../../src/db/prisma.js';
import { rejectedTicketId, type RejectWrite } from '../../src/db/sql/rejects.js';
import type { SimTicket } from '../../src/sim/ticket-generator.js';
import { createEmptyDatabase } from '../support/database.js';
import { startHarness, type Harness } from '../support/sync-harness.js';
import pg from 'pg';

type RejectRow = {
  run_id: string;
  page: number;
  request_id: string | null;
  ticket_id: string | null;
  record_key: string | null;
  raw_text: string;
  times_seen: number;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
};

const rejectRows = (h: Harness) =>
  h.tdb.query<RejectRow>(
    `SELECT run_id::text, page, request_id, ticket_id::text, record_key, raw_text, times_seen,
            first_seen_at, last_seen_at, resolved_at
     FROM sync_rejects ORDER BY id`,
  );

/** The list with ticket `index` unstorable (a timestamp beyond any sane range) but its ticketID intact. */
function breakTicket(h: Harness, segmentId: number, index: number): { original: SimTicket[]; broken: SimTicket } {
  const original = h.sim.list(segmentId, 0);
  const broken = { ...original[index]!, timestamp: '9999-12-31T23:59:59-1200' };
  h.sim.setList(
    segmentId,
    0,
    original.map((t, i) => (i === index ? broken : t)),
  );
  return { original, broken };
}

/** The SQL of the previous release's insertRejects: one row per sighting, naming only the columns it knew. */
function previousInsertRejects(db: Db, w: RejectWrite) {
  return db.syncReject.createMany({
    data: w.rejects.map((r) => ({
      runId: w.runId,
      segmentId: BigInt(w.segmentId),
      status: w.status,
      page: w.page,
      requestId: w.requestId ?? null,
      ticketId: rejectedTicketId(r.record),
      reason: r.reason.slice(0, 2000),
      raw: r.record === null || r.record === undefined ? Prisma.JsonNull : (r.record as Prisma.InputJsonValue),
      rawText: r.originalText,
    })),
  });
}

describe('quarantine as state: one row per unstorable record and list', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when three syncs see one unstorable record, then one row holds it, seen 3 times, with its last sighting', async () => {
    h = await startHarness({ segments: [741], ticketsPerList: 30, perPage: 10 });
    const { broken } = breakTicket(h, 741, 13);

    const reports = [await h.run(), await h.run(), await h.run()];

    expect(reports.map((r) => r.lists[0]?.counts.ticketsRejected)).toEqual([1, 1, 1]);
    const rows = await rejectRows(h);
    expect(rows).toHaveLength(1);
    const lastPage2 = h.sim.requests.filter((r) => r.page === 2).at(-1);
    expect(rows[0]).toMatchObject({
      run_id: String(reports[2]!.runId),
      page: 2,
      request_id: lastPage2?.requestId,
      ticket_id: String(broken.ticketID),
      record_key: String(broken.ticketID),
      times_seen: 3,
      resolved_at: null,
    });
    expect(rows[0]!.last_seen_at.getTime()).toBeGreaterThan(rows[0]!.first_seen_at.getTime());
  });

  test('when the record is fixed at the source, then its row is resolved; broken again, the same row reopens', async () => {
    h = await startHarness({ segments: [742], ticketsPerList: 30, perPage: 10 });
    const { original, broken } = breakTicket(h, 742, 4);
    await h.run();
    h.sim.setList(742, 0, original);

    await h.run();

    const [fixed] = await rejectRows(h);
    expect(fixed?.resolved_at).toBeInstanceOf(Date);
    expect(await h.tdb.query('SELECT 1 FROM detractor_tickets WHERE ticket_id = $1', [broken.ticketID])).toHaveLength(1);

    breakTicket(h, 742, 4);
    await h.run();
    const rows = await rejectRows(h);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ resolved_at: null, times_seen: 2, record_key: String(broken.ticketID) });
  });

  test('when a quarantined record leaves the list, then the next verified read resolves it', async () => {
    h = await startHarness({ segments: [743], ticketsPerList: 30, perPage: 10 });
    const { broken } = breakTicket(h, 743, 22);
    await h.run();
    expect((await rejectRows(h))[0]?.resolved_at).toBeNull();
    h.sim.removeTicket(743, 0, broken.ticketID);

    const report = await h.run();

    expect(report.lists[0]).toMatchObject({ verified: true });
    expect((await rejectRows(h))[0]?.resolved_at).toBeInstanceOf(Date);
    expect(h.logs.lines().some((l) => l['msg'] === 'quarantined records left the list' && l['resolved'] === 1)).toBe(true);
  });

  test('when a record without a ticketID is seen by three syncs, then one row keyed by the hash of its text holds it', async () => {
    h = await startHarness({ segments: [744], ticketsPerList: 30, perPage: 10 });
    h.sim.injectFault({ kind: 'invalid-record', times: 1_000, match: { segmentId: 744, page: 2 } });

    await h.run();
    await h.run();
    await h.run();

    const rows = await rejectRows(h);
    expect(rows).toHaveLength(1);
    const sha = createHash('sha256').update(rows[0]!.raw_text).digest('hex');
    expect(rows[0]).toMatchObject({ ticket_id: null, record_key: `sha256:${sha}`, times_seen: 3, resolved_at: null });

    // The server sends the record whole again: stored, and a verified read no longer sees the broken one.
    h.sim.clearFaults();
    const report = await h.run();
    expect(report.lists[0]).toMatchObject({ verified: true });
    expect((await rejectRows(h))[0]?.resolved_at).toBeInstanceOf(Date);
  });

  test('when a replica of the previous release inserts rejects the old way meanwhile, then its inserts succeed', async () => {
    h = await startHarness({ segments: [745], ticketsPerList: 30, perPage: 10 });
    const { broken } = breakTicket(h, 745, 3);
    const first = await h.run();
    const sighting = {
      runId: first.runId,
      segmentId: 745,
      status: 0,
      page: 1,
      requestId: 'old-replica-request',
      rejects: [{ record: broken, originalText: JSON.stringify(broken), reason: 'timestamp: out of range' }],
    };

    await previousInsertRejects(h.tdb.db, sighting);
    await previousInsertRejects(h.tdb.db, sighting);

    const rows = await rejectRows(h);
    expect(rows.map((r) => [r.record_key, r.times_seen])).toEqual([
      [String(broken.ticketID), 1],
      [null, 1],
      [null, 1],
    ]);
    // The new release goes on with its own row; its next verified read closes the old-style ones.
    await h.run();
    const after = await rejectRows(h);
    expect(after.map((r) => [r.record_key, r.times_seen, r.resolved_at === null])).toEqual([
      [String(broken.ticketID), 2, true],
      [null, 1, false],
      [null, 1, false],
    ]);
  });
});

describe('the migration quarantine_state', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let scratch: string | undefined;
  afterEach(async () => {
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('when rows of earlier sightings exist, then they are folded into one per record and list, counted per run', async () => {
    database = await createEmptyDatabase('quarantine');
    scratch = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    for (const name of await readdir(DEFAULT_MIGRATIONS_DIR)) {
      if (name < '20261209000000_quarantine_state')
        await cp(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(scratch, name), { recursive: true });
    }
    const log = pino({ level: 'silent' });
    await migrate(database.url, log, { dir: scratch });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO sync_runs (id, trigger) VALUES (1, 'cli'), (2, 'cli'), (3, 'cli')`);
      const insert = (run: number, ticketId: number | null, rawText: string, at: string) =>
        client.query(
          `INSERT INTO sync_rejects (run_id, segment_id, status, page, request_id, ticket_id, reason, raw, raw_text, rejected_at)
           VALUES ($1::bigint, 751, 0, 2, 'req-' || $1::text, $2, 'broken', $3::jsonb, $4::text, $5)`,
          [run, ticketId, rawText, rawText, at],
        );
      const noId = '{"ticketID":"abc","comment":"é"}';
      await insert(1, 5, '{"ticketID":5}', '2026-12-01T10:00:00Z');
      await insert(1, null, noId, '2026-12-01T10:00:00Z');
      await insert(2, 5, '{"ticketID":5}', '2026-12-01T11:00:00Z');
      await insert(2, null, noId, '2026-12-01T11:00:00Z');
      await insert(2, null, noId, '2026-12-01T11:00:01Z'); // the same run, a second pass
      await insert(3, 5, '{"ticketID":5,"v":2}', '2026-12-01T12:00:00Z');

      await migrate(database.url, log);

      const { rows } = await client.query<{
        run_id: string;
        request_id: string;
        record_key: string;
        times_seen: number;
        first_seen_at: Date;
        last_seen_at: Date;
        raw_text: string;
      }>(
        'SELECT run_id::text, request_id, record_key, times_seen, first_seen_at, last_seen_at, raw_text FROM sync_rejects ORDER BY id',
      );
      expect(rows).toEqual([
        {
          run_id: '2',
          request_id: 'req-2',
          record_key: `sha256:${createHash('sha256').update(noId).digest('hex')}`,
          times_seen: 2,
          first_seen_at: new Date('2026-12-01T10:00:00Z'),
          last_seen_at: new Date('2026-12-01T11:00:01Z'),
          raw_text: noId,
        },
        {
          run_id: '3',
          request_id: 'req-3',
          record_key: '5',
          times_seen: 3,
          first_seen_at: new Date('2026-12-01T10:00:00Z'),
          last_seen_at: new Date('2026-12-01T12:00:00Z'),
          raw_text: '{"ticketID":5,"v":2}',
        },
      ]);
    } finally {
      await client.end();
    }
  });
});
