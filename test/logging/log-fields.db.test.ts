import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startHarness, type Harness } from '../support/sync-harness.js';

// Log pipelines index a field with one type and filter by run: every line of a run
// carries its runId, and `status` never means two things.

describe('log lines of a run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ segments: [761], statuses: [0, 1], ticketsPerList: 15, perPage: 10 });
    h.sim.injectFault({ kind: '429', retryAfterSeconds: 0, match: { segmentId: 761, status: 0, page: 2 } });
    h.sim.injectFault({ kind: '502', match: { segmentId: 761, status: 1, page: 1 } });
    await h.run();
  });
  afterAll(async () => h.close());

  test('when an API call fails or waits for Retry-After, then its line names the run, the list and the page', () => {
    const lines = h.logs.lines().filter((l) => l['msg'] === 'api call failed' || l['msg'] === 'waiting for Retry-After');
    expect(lines.map((l) => l['msg']).sort()).toEqual(['api call failed', 'api call failed', 'waiting for Retry-After']);
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({
          runId: expect.any(String),
          segmentId: 761,
          ticketStatus: expect.any(Number),
          page: expect.any(Number),
        }),
      );
    }
  });

  test('when lines are written, then a run status is runStatus (a word) and a list status is ticketStatus (a number)', () => {
    const lines = h.logs.lines();
    expect(lines.filter((l) => 'status' in l)).toEqual([]);
    expect(lines.find((l) => l['msg'] === 'run finished')?.['runStatus']).toBe('succeeded');
    expect(lines.filter((l) => l['msg'] === 'list finished').map((l) => l['ticketStatus'])).toEqual(
      expect.arrayContaining([0, 1]),
    );
  });

  test('when a first pass is read, then it does not read as drift', () => {
    const drift = h.logs
      .lines()
      .filter((l) => l['msg'] === 'pass finished' && Array.isArray(l['drift']) && (l['drift'] as unknown[]).length > 0);
    expect(drift).toEqual([]);
  });
});
