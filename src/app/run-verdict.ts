import { listLabel } from '../lists/list.js';
import type { ListReport } from '../lists/report.js';
import type { RunReport } from '../sync/run-sync.js';

/** A key the API refused: what it said, and which variable to fix. */
export interface KeyProblem {
  readonly code: 'API_UNAUTHORIZED' | 'API_FORBIDDEN';
  readonly segmentId: number;
  readonly status: number;
  /** The API's answer: HTTP status, error name, id, message and requestID. */
  readonly answer: string;
  /** One line for a person: what happened and what to change. */
  readonly headline: string;
}

/** What a finished run means to whoever started it: its exit code and why. */
export interface RunVerdict {
  /** 0 done (deferred lists included), 1 a list failed (the next run retries), 2 an operator must fix something first. */
  readonly exitCode: 0 | 1 | 2;
  readonly keyProblem: KeyProblem | undefined;
  /** Lists the API call budget deferred (BUDGET_DEFERRED): not failures, the next runs read them. */
  readonly deferred: number;
}

/**
 * A run's exit code. A key the API refuses needs a person before the next run (2); a
 * list that failed or did not settle is retried by the next run (1); lists the budget
 * deferred, or another worker had covered, are no failure (0): a CronJob whose budget
 * holds it back is not a failing job.
 */
export function runVerdict(report: RunReport): RunVerdict {
  const deferred = report.lists.filter((l) => l.code === 'BUDGET_DEFERRED').length;
  const keyProblem = findKeyProblem(report.lists);
  if (keyProblem) return { exitCode: 2, keyProblem, deferred };
  const done = report.status === 'succeeded' || report.status === 'skipped';
  return { exitCode: done ? 0 : 1, keyProblem: undefined, deferred };
}

/** The list whose own request the API refused; lists it stopped carry its code but not its answer. */
function findKeyProblem(lists: readonly ListReport[]): KeyProblem | undefined {
  const refused = lists.filter((l) => l.code === 'API_UNAUTHORIZED' || l.code === 'API_FORBIDDEN');
  const list = refused.find((l) => l.outcome === 'failed') ?? refused[0];
  if (!list) return undefined;
  const code = list.code as KeyProblem['code'];
  const answer = (list.error ?? code).replace(/^run ended by another list: /, '').replace(/^QuestionPro API error, /, '');
  const headline =
    code === 'API_UNAUTHORIZED'
      ? `QuestionPro rejected the API key (${answer}): fix QUESTIONPRO_API_KEY ` +
        "(a key works only in its account's data centre: QUESTIONPRO_ENV or QUESTIONPRO_BASE_URL)"
      : `QuestionPro refused the API key access to ${listLabel(list)} (${answer}): fix QUESTIONPRO_API_KEY ` +
        '(a key whose user may read the segment) or take the segment out of SYNC_SEGMENTS';
  return { code, segmentId: list.segmentId, status: list.status, answer, headline };
}
