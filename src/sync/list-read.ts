import type { ListLearning } from '../db/sql/runs.js';
import type { ListCounts } from '../lists/counts.js';
import type { QuarantineNote } from '../lists/report.js';
import type { PassContext } from './list-pass.js';

export interface CompletenessPolicy {
  /** Passes over a list before it is declared unsettled. */
  readonly maxPasses: number;
  /**
   * Require two consecutive passes that read the same tickets before marking any gone.
   * A single pass can look consistent while one ticket arrives and another leaves
   * (counts unchanged, the newcomer on a page already read); only a second read shows
   * it. Costs one more pass when a read does not match the database.
   */
  readonly confirmPass: boolean;
}

export interface ListSyncContext extends PassContext {
  readonly policy: CompletenessPolicy;
}

/** What the reads of a list add up as they go. */
export interface Tallies {
  readonly counts: ListCounts;
  /** The first quarantined records (page, ticketID, requestID, reason). */
  readonly notes: QuarantineNote[];
}

/** How a read of a list ended (a probe, or a full read). */
export interface ListRead {
  /** Whether what was read is the list as one consistent snapshot (confirmed, when verified). */
  readonly settled: boolean;
  /** Whether every stored ticket was accounted for: read, or recorded gone. */
  readonly verified: boolean;
  readonly drift: readonly string[];
  /** What the read learnt of how the server serves the list, for the next runs' plans. */
  readonly learning: ListLearning;
}
