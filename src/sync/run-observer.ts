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

/** Several observers as one: each hook calls every observer that has it. */
export function combineRunObservers(...observers: ReadonlyArray<RunObserver | undefined>): RunObserver | undefined {
  const present = observers.filter((o): o is RunObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return {
    onRunStart: (e) => present.forEach((o) => o.onRunStart?.(e)),
    onRunEnd: (e) => present.forEach((o) => o.onRunEnd?.(e)),
    onListPhase: (e) => present.forEach((o) => o.onListPhase?.(e)),
    onPage: (e) => present.forEach((o) => o.onPage?.(e)),
    onListEnd: (e) => present.forEach((o) => o.onListEnd?.(e)),
  };
}
