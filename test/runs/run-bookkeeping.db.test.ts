import { afterEach, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { RunStore } from '../../src/runs/run-store.js';
import { auditListLocks, failStatements, openRunConnections, type StatementFault } from '../support/db-faults.js';
import { differences, ticketRows } from '../support/expectations.js';
import { gate, holdRequests } from '../support/hold-requests.js';
import { waitFor } from '../support/poll.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

// The run's own bookkeeping (its rows in sync_runs and sync_run_segments) refused by
// the database at each step. Whatever fails: the run's row ends in a final state, no
// list row stays `running`, no list lock is released while its writes are in flight,
// and the bookkeeping connection is closed.

const A = 801; // a list mid-crawl when the other one's bookkeeping fails
const B = 802;

async function runRows(h: Harness) {
  const runs = await h.tdb.query<{ status: string; error_code: string | null; finished_at: Date | null; api_calls: number }>(
    'SELECT status, error_code, finished_at, api_calls FROM sync_runs',
  );
  const lists = await h.tdb.query<{ segment_id: string; outcome: string; error_code: string | null; pages: number }>(
    'SELECT segment_id, outcome, error_code, pages FROM sync_run_segments ORDER BY segment_id',
  );
  return { runs, lists };
}

/** Every stored ticket is exactly the simulator's: nothing half-written. */
async function expectStoredTicketsIntact(h: Harness): Promise<void> {
  const rows = await ticketRows(h.tdb);
  const truth = [...h.sim.list(A, 0), ...h.sim.list(B, 0)].filter((t) => rows.has(t.ticketID));
  expect(truth).toHaveLength(rows.size);
  expect(truth.flatMap((t) => differences(rows.get(t.ticketID), t, 0))).toEqual([]);
}

describe("the run's bookkeeping refused by the database", () => {
  let h: Harness;
  afterEach(async () => h.close());

  async function start(fault: StatementFault) {
    h = await startHarness({ segments: [A, B], ticketsPerList: 60, perPage: 10 });
    const audit = await auditListLocks(h.tdb);
    await failStatements(h.tdb, fault);
    return audit;
  }

  test.each<[string, StatementFault]>([
    [
      'starting a list',
      { table: 'sync_run_segments', event: 'INSERT', when: `NEW.segment_id = ${B}`, times: 1_000, sqlstate: 'XX000' },
    ],
    [
      'finishing a list',
      {
        table: 'sync_run_segments',
        event: 'UPDATE',
        when: `NEW.segment_id = ${B} AND NEW.outcome <> 'running'`,
        times: 1,
        sqlstate: 'XX000',
      },
    ],
  ])(
    'when %s is refused, then every list stops first, the run ends failed, no lock is released under a write, no connection leaks',
    async (_step, fault) => {
      const audit = await start(fault);
      // List A is still crawling when list B's bookkeeping fails, whatever the load: its page 2 is
      // answered only once the run has ended, so only B's failure can stop it.
      const runEnded = gate();
      holdRequests(h.sim, (request) => (request.segmentId === A && request.page === 2 ? runEnded.opened : undefined));

      const report = await h.run().finally(runEnded.open);

      expect(report.lists.find((l) => l.segmentId === B)).toMatchObject({ outcome: 'failed', code: 'RUN_RECORD_FAILED' });
      expect(report.lists.find((l) => l.segmentId === A)?.outcome).toBe('aborted');
      const { runs, lists } = await runRows(h);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: report.status, error_code: 'RUN_RECORD_FAILED' });
      expect(runs[0]?.status).toBe('failed');
      expect(runs[0]?.finished_at).toBeInstanceOf(Date);
      // Cut short, the run still records every call that reached the server, the held one included.
      expect(runs[0]?.api_calls).toBe(h.sim.received);
      expect(lists.filter((l) => l.outcome === 'running')).toEqual([]);
      expect((await audit()).filter((w) => !w.locked)).toEqual([]);
      expect(await openRunConnections(h.tdb)).toBe(0);
      await expectStoredTicketsIntact(h);
    },
  );

  test('when recording a skipped list is refused, then the run still ends in a final state', async () => {
    const audit = await start({
      table: 'sync_run_segments',
      event: 'INSERT',
      when: `NEW.outcome = 'skipped'`,
      times: 1_000,
      sqlstate: 'XX000',
    });
    // Another worker holds list B: this run must record it skipped, which is refused.
    const other = new pg.Client({ connectionString: h.tdb.url });
    await other.connect();
    await other.query(`SELECT pg_advisory_lock(hashtextextended('detractor-sync:list:${B}:0', 0))`);
    try {
      const report = await h.run();

      expect(report.lists.find((l) => l.segmentId === B)).toMatchObject({ outcome: 'failed', code: 'RUN_RECORD_FAILED' });
      const { runs, lists } = await runRows(h);
      expect(runs[0]).toMatchObject({ error_code: 'RUN_RECORD_FAILED' });
      expect(runs[0]?.status).not.toBe('running');
      expect(lists.filter((l) => l.outcome === 'running')).toEqual([]);
      expect((await audit()).filter((w) => !w.locked)).toEqual([]);
      expect(await openRunConnections(h.tdb)).toBe(0);
    } finally {
      await other.end();
    }
  });

  test("when the run's final record is refused, then a minimal one records it failed", async () => {
    await start({ table: 'sync_runs', event: 'UPDATE', when: `NEW.status <> 'running'`, times: 1, sqlstate: 'XX000' });

    const report = await h.run();

    expect(report.status).toBe('succeeded'); // what the run did; its row says the record failed
    const { runs, lists } = await runRows(h);
    expect(runs[0]).toMatchObject({ status: 'failed', error_code: 'RUN_RECORD_FAILED' });
    expect(lists.map((l) => l.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(h.logs.lines().some((l) => l['msg'] === 'run record refused: recording the run as failed')).toBe(true);
    expect(await openRunConnections(h.tdb)).toBe(0);
  });

  test('when the run cannot even be created, then nothing is started, the error says why and no connection is left', async () => {
    await start({ table: 'sync_runs', event: 'INSERT', when: 'true', times: 1_000, sqlstate: 'XX000' });
    const requestsBefore = h.sim.requests.length;

    await expect(h.run()).rejects.toMatchObject({
      code: 'RUN_RECORD_FAILED',
      message: expect.stringMatching(/injected fault: INSERT on sync_runs refused/),
    });

    expect((await runRows(h)).runs).toEqual([]);
    expect(h.sim.requests.length).toBe(requestsBefore);
    expect(await openRunConnections(h.tdb)).toBe(0);
  });

  test.each<[string, StatementFault]>([
    ['creating the run', { table: 'sync_runs', event: 'INSERT', when: 'true', times: 1, sqlstate: '08006' }],
    ['starting a list', { table: 'sync_run_segments', event: 'INSERT', when: 'true', times: 1, sqlstate: '08006' }],
    [
      'finishing a list',
      {
        table: 'sync_run_segments',
        event: 'UPDATE',
        when: `NEW.segment_id = ${A} AND NEW.outcome <> 'running'`,
        times: 1,
        sqlstate: '08006',
      },
    ],
    ['finishing the run', { table: 'sync_runs', event: 'UPDATE', when: `NEW.status <> 'running'`, times: 1, sqlstate: '08006' }],
  ])(
    'when the connection seems lost while %s, then it reconnects, takes its locks again and the run succeeds',
    async (step, fault) => {
      const audit = await start(fault);
      // While the connection is down its locks are, too: list B's pages wait until A is recorded,
      // so that no page is written in that moment (what a lost connection costs is LOCK_LOST, tested apart).
      if (step === 'finishing a list') {
        const aRecorded = waitFor(async () => {
          const [row] = await h.tdb.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sync_run_segments WHERE segment_id = ${A} AND outcome <> 'running'`,
          );
          return row!.n > 0 ? true : undefined;
        });
        holdRequests(h.sim, (request) => (request.segmentId === B ? aRecorded : undefined));
      }

      const report = await h.run();

      expect(report.status).toBe('succeeded');
      const { runs, lists } = await runRows(h);
      expect(runs[0]?.status).toBe('succeeded');
      expect(lists.map((l) => l.outcome)).toEqual(['succeeded', 'succeeded']);
      expect(h.logs.lines().some((l) => l['msg'] === 'run bookkeeping connection lost, retrying')).toBe(true);
      expect((await audit()).filter((w) => !w.locked)).toEqual([]);
      expect(await openRunConnections(h.tdb)).toBe(0);
    },
  );
});

describe('the run store after the run', () => {
  let h: Harness;
  afterEach(async () => h.close());

  test('when it is used after close(), then it refuses instead of quietly opening a new connection', async () => {
    h = await startHarness({ segments: [A], ticketsPerList: 10, perPage: 10 });
    const store = await RunStore.open(h.tdb.url, h.logs.log);
    const run = await store.createRun('cli');
    await store.close();

    await expect(store.claimList(run, { segmentId: A, status: 0, perPage: 10 })).rejects.toMatchObject({
      code: 'RUN_STORE_CLOSED',
    });
    expect(await openRunConnections(h.tdb)).toBe(0);
  });
});
