import { describe, expect, test } from '@jest/globals';
import { runLine } from '../../src/app/run-summary.js';
import { emptyCounts } from '../../src/lists/counts.js';
import type { RunReport } from '../../src/sync/run-sync.js';

const counts = (apiCalls: number, ticketsInserted: number, ticketsGone = 0) => ({
  ...emptyCounts(),
  apiCalls,
  ticketsInserted,
  ticketsGone,
});

describe("the worker's line per run in a terminal", () => {
  test('when a run ends, then one line says its outcome, lists by outcome, calls and what changed', () => {
    const report: RunReport = {
      runId: 12n,
      status: 'partial',
      durationMs: 3240,
      lists: [
        { segmentId: 101, status: 0, outcome: 'succeeded', counts: counts(3, 2) },
        { segmentId: 102, status: 0, outcome: 'succeeded', counts: counts(1, 0, 1) },
        { segmentId: 103, status: 0, outcome: 'failed', counts: counts(6, 0), code: 'API_NOT_FOUND' },
      ],
    };
    const line = runLine(report);
    expect(line).toBe('run 12 partial in 3.2 s: 3 lists (2 succeeded, 1 failed), 10 API calls, 2 new, 0 updated, 1 gone');
    expect(line).not.toContain('\n');
  });
});
