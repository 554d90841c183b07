import { describe, expect, test } from '@jest/globals';
import { describeVerdict } from '../../src/app/run-summary.js';
import { runVerdict } from '../../src/app/run-verdict.js';
import { emptyCounts } from '../../src/lists/counts.js';
import type { RunStatus } from '../../src/lists/outcomes.js';
import type { ListReport } from '../../src/lists/report.js';

const UNAUTHORIZED =
  'QuestionPro API error, HTTP 401, UNAUTHORIZED, id 1010, "Incorrect API Key", requestID 8903a6e8-9162-49aa-9be8-d8a2e464060b';

function list(segmentId: number, outcome: ListReport['outcome'], code?: ListReport['code'], error?: string): ListReport {
  return { segmentId, status: 0, outcome, counts: emptyCounts(), ...(code ? { code, error: error ?? code } : {}) };
}

const run = (status: RunStatus, lists: ListReport[]) => ({ runId: 1n, status, lists, durationMs: 5 });

describe('what a finished run means to whoever started it', () => {
  test('when every list succeeded, then it exits 0', () => {
    const verdict = runVerdict(run('succeeded', [list(1, 'succeeded')]));
    expect(verdict).toEqual({ exitCode: 0, keyProblem: undefined, deferred: 0 });
    expect(describeVerdict(verdict, 1)).toBe('exit 0: every list synced');
  });

  test('when the budget deferred every list (nothing failed), then it exits 0 and says so', () => {
    const verdict = runVerdict(run('skipped', [list(1, 'skipped', 'BUDGET_DEFERRED'), list(2, 'skipped', 'BUDGET_DEFERRED')]));
    expect(verdict).toEqual({ exitCode: 0, keyProblem: undefined, deferred: 2 });
    expect(describeVerdict(verdict, 2)).toMatch(/^exit 0: nothing failed; 2 of 2 list\(s\) deferred by the API call budget/);
  });

  test('when a list failed beside a deferred one, then it exits 1', () => {
    const verdict = runVerdict(run('partial', [list(1, 'failed', 'API_NOT_FOUND'), list(2, 'skipped', 'BUDGET_DEFERRED')]));
    expect(verdict.exitCode).toBe(1);
  });

  test('when the API rejected the key, then it exits 2 with its answer and the variable to fix', () => {
    const verdict = runVerdict(
      run('failed', [
        list(2, 'skipped', 'API_UNAUTHORIZED', `run ended by another list: ${UNAUTHORIZED}`),
        list(1, 'failed', 'API_UNAUTHORIZED', UNAUTHORIZED),
      ]),
    );
    expect(verdict.exitCode).toBe(2);
    expect(verdict.keyProblem).toMatchObject({ code: 'API_UNAUTHORIZED', segmentId: 1 });
    expect(verdict.keyProblem?.headline).toBe(
      'QuestionPro rejected the API key (HTTP 401, UNAUTHORIZED, id 1010, "Incorrect API Key", ' +
        'requestID 8903a6e8-9162-49aa-9be8-d8a2e464060b): fix QUESTIONPRO_API_KEY ' +
        "(a key works only in its account's data centre: QUESTIONPRO_ENV or QUESTIONPRO_BASE_URL)",
    );
  });

  test('when the API forbade one list to the key, then it exits 2 naming the list, even though the others succeeded', () => {
    const forbidden = 'QuestionPro API error, HTTP 403, FORBIDDEN, id 1013, "The user does not have permission", requestID r-1';
    const verdict = runVerdict(run('partial', [list(7, 'succeeded'), list(8, 'failed', 'API_FORBIDDEN', forbidden)]));
    expect(verdict.exitCode).toBe(2);
    expect(verdict.keyProblem?.headline).toMatch(
      /^QuestionPro refused the API key access to segment 8 status 0 \(HTTP 403, FORBIDDEN, id 1013, .*requestID r-1\): fix QUESTIONPRO_API_KEY .* or take the segment out of SYNC_SEGMENTS$/,
    );
  });
});
