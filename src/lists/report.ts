import type { ErrorCode } from '../errors.js';
import { emptyCounts, type ListCounts } from './counts.js';
import type { ListId } from './list.js';
import type { ListOutcome } from './outcomes.js';

/** A quarantined record, named so an operator can find it: in the list's report and its log line. */
export interface QuarantineNote {
  readonly page: number;
  readonly ticketId: string | null;
  readonly requestId: string | undefined;
  readonly reason: string;
}

/** What a run tells about one of its lists (its report, metrics, the demo's table). */
export interface ListReport {
  readonly segmentId: number;
  readonly status: number;
  readonly outcome: ListOutcome;
  readonly counts: ListCounts;
  readonly error?: string;
  /** Why the list did not succeed (e.g. API_NOT_FOUND, LIST_UNSETTLED, LIST_LOCKED, the error that ended the run). */
  readonly code?: ErrorCode;
  /** The first quarantined records of the list: page, ticketID, requestID and reason. */
  readonly quarantined?: readonly QuarantineNote[];
  /** Whether the list was verified (confirmed complete, closures done) rather than read once. */
  readonly verified?: boolean;
}

/** Why a list did not succeed: a SyncError fits, as does any code with a message. */
export interface ListProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

export function listReport(
  list: ListId,
  outcome: ListOutcome,
  details: {
    readonly counts?: ListCounts;
    readonly problem?: ListProblem;
    readonly quarantined?: readonly QuarantineNote[];
    readonly verified?: boolean;
  } = {},
): ListReport {
  return {
    segmentId: list.segmentId,
    status: list.status,
    outcome,
    counts: details.counts ?? emptyCounts(),
    ...(details.problem ? { error: details.problem.message, code: details.problem.code } : {}),
    ...(details.quarantined ? { quarantined: details.quarantined } : {}),
    ...(details.verified !== undefined ? { verified: details.verified } : {}),
  };
}
