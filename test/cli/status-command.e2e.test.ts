import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../support/cli-process.js';
import { startHarness, type Harness } from '../support/sync-harness.js';

describe('npm run status', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ segments: [961, 962], ticketsPerList: 12, perPage: 5 });
    await h.run();
  });
  afterAll(async () => h.close());

  test('when --json is given, then the last runs and each list with its freshness and ticket count are printed', async () => {
    await h.run({ lists: [961, 999].map((segmentId) => ({ segmentId, status: 0, perPage: 5 })) }); // 999 is unknown: 404

    const result = await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url });

    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { runs: Array<Record<string, unknown>>; lists: Array<Record<string, unknown>> };
    expect(status.runs.map((r) => r['status'])).toEqual(['partial', 'succeeded']);
    const byList = new Map(status.lists.map((l) => [`${String(l['segment_id'])}/${String(l['status'])}`, l]));
    expect(byList.get('961/0')).toMatchObject({ last_outcome: 'succeeded', tickets: 12, last_error_code: null });
    expect(byList.get('962/0')).toMatchObject({ last_outcome: 'succeeded', tickets: 12 });
    expect(byList.get('999/0')).toMatchObject({
      last_outcome: 'failed',
      last_success_at: null,
      last_error_code: 'API_NOT_FOUND',
    });
    expect(byList.get('999/0')?.['error_request_id']).toEqual(expect.any(String));
    // Open and overdue detractors per segment, as the worker's page shows them: every segment tried, 999 with none.
    const truth = await h.tdb.query<{ segment_id: string; open: number; overdue: number }>(
      `SELECT m.segment_id::text AS segment_id, count(*)::int AS open, count(*) FILTER (WHERE t.due_at < now())::int AS overdue
       FROM detractor_ticket_segments m JOIN detractor_tickets t USING (ticket_id)
       WHERE m.gone_at IS NULL AND m.status = 0 GROUP BY m.segment_id ORDER BY m.segment_id`,
    );
    expect(truth.map((t) => t.open)).toEqual([12, 12]);
    // Named "Segment <id>": this harness configures no SYNC_SEGMENT_NAMES.
    expect((status as unknown as { openTickets: unknown }).openTickets).toEqual(
      [...truth, { segment_id: '999', open: 0, overdue: 0 }].map((t) => ({ ...t, segment_name: `Segment ${t.segment_id}` })),
    );
  });

  test('when run without flags, then it prints readable tables', async () => {
    const result = await runCli(['status'], { DATABASE_URL: h.tdb.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Last 5 runs\n id \| trigger \| status/m);
    expect(result.stdout).toMatch(
      /Lists \(segment x status\): 1 failing of 3\n segment_id \| segment_name \| status \| status_label \| last_success_at/,
    );
    expect(result.stdout).toMatch(/^ 999 +\| Segment 999 +\| 0 +\| open +\|.*\| failed +\|/m);
    expect(result.stdout).toMatch(
      /Open detractors per segment \(overdue: past their due time\)\n segment_id \| segment_name \| open \| overdue\n/,
    );
    expect(result.stdout).toMatch(/^ 961 +\| Segment 961 +\| 12 +\| \d+$/m);
  });

  test('when API calls were recorded, then they are counted per day of the last two weeks', async () => {
    await h.tdb.query(
      `INSERT INTO api_call_ledger (key_fingerprint, minute, outcome, calls) VALUES
         ('00000000feedbeef', date_trunc('minute', now()), 'sent', 7),
         ('00000000feedbeef', date_trunc('minute', now()), 'ok', 7),
         ('00000000feedbeef', date_trunc('minute', now()) - interval '30 days', 'sent', 5)`,
    );

    const result = await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'UTC' });

    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { apiBudget: { callsPerDay: Array<{ day: string; calls: number }> } };
    const days = status.apiBudget.callsPerDay;
    expect(days).toHaveLength(14);
    // Sent calls only (not what they got), and not the ones of a month ago.
    expect(days.reduce((n, d) => n + d.calls, 0)).toBe(7);
    expect(days.at(-1)).toEqual({ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), calls: 7 });
    const text = await runCli(['status'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'Asia/Tokyo' });
    expect(text.stdout).toMatch(/API calls sent per day \(the last 14 days in Asia\/Tokyo\)\n day +\| calls\n/);
    // The calls sent are the total; what they got breaks them down (7 sent, 7 ok: not 14 calls).
    expect(text.stdout).toContain(
      'API calls of this API key, all processes sharing the database (key fingerprint 00000000feedbeef)',
    );
    expect(text.stdout).toMatch(/\n {2}answers to the 7 calls sent: ok 7\n/);
    const json = JSON.parse(
      (await runCli(['status', '--json'], { DATABASE_URL: h.tdb.url, SYNC_TIMEZONE: 'Asia/Tokyo' })).stdout,
    ) as {
      apiBudget: Record<string, unknown>;
    };
    expect(json.apiBudget).toMatchObject({ byOutcome: { sent: 7, ok: 7 }, answers: { ok: 7 }, timezone: 'Asia/Tokyo' });
  });
});
