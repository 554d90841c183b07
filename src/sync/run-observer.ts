import type { ErrorCode } from '../errors.js';
import type { ListCounts } from '../lists/counts.js';
import type { ListOutcome, RunStatus } from '../lists/outcomes.js';

/** What a run tells the outside world as it goes (metrics); every hook is optional. */
export interface RunObserver {
  onRunStart?(event: { runId: bigint }): void;
  onRunEnd?(event: { runId: bigint; status: RunStatus; durationMs: number }): void;
  onListEnd?(event: {
    segmentId: number;
    status: number;
    outcome: ListOutcome;
    code?: ErrorCode;
    counts: ListCounts;
    finishedAt: Date;
  }): void;
}
