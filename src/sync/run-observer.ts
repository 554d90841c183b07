import type { ErrorCode } from '../errors.js';
import type { ListCounts } from '../lists/counts.js';
import type { ListOutcome, RunStatus } from '../lists/outcomes.js';

/** What a list is doing: looking at its head, reading it whole, or reading it again to verify it. */
export type ListPhase = 'probing' | 'reading' | 'verifying';

/** What a run tells the outside world as it goes (metrics, a terminal's progress); every hook is optional. */
export interface RunObserver {
  onRunStart?(event: { runId: bigint }): void;
  onRunEnd?(event: { runId: bigint; status: RunStatus; durationMs: number }): void;
  onListPhase?(event: { segmentId: number; status: number; phase: ListPhase }): void;
  /** A page taken in (stored, or found unchanged); `totalPages` as the server announced it. */
  onPage?(event: {
    segmentId: number;
    status: number;
    page: number;
    totalPages: number;
    totalItems: number;
    items: number;
    calls: number;
  }): void;
  onListEnd?(event: {
    segmentId: number;
    status: number;
    outcome: ListOutcome;
    code?: ErrorCode;
    counts: ListCounts;
    finishedAt: Date;
  }): void;
}
