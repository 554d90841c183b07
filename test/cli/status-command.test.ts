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
  });

  test('when run without flags, then it prints readable tables', async () => {
    const result = await runCli(['status'], { DATABASE_URL: h.tdb.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Last 5 runs\n id \| trigger \| status/m);
    expect(result.stdout).toMatch(/Lists \(segment x status\)\n segment_id \| status \| last_success_at/);
    expect(result.stdout).toMatch(/^ 999 +\| 0 +\|.*\| failed +\|/m);
  });
});
