import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/prisma.js';
import { addCallOutcomes, claimApiCall, type BudgetPeriod } from '../db/sql/ledger.js';
import { errorMessage } from '../errors.js';

/** A key's fingerprint: what the ledger is keyed by (the key itself is never stored). */
export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

export type Claim =
  | { readonly granted: true }
  | { readonly granted: false; readonly reason: 'rate'; readonly waitMs: number }
  | { readonly granted: false; readonly reason: 'budget' };

export type { BudgetPeriod } from '../db/sql/ledger.js';

export interface ClaimLimits {
  /** Calls allowed in any `windowMs` across every process; undefined: no shared rate limit. */
  readonly perWindow: number | undefined;
  readonly windowMs: number;
  /** Calls allowed per period; undefined: no budget (calls are still counted per period). */
  readonly budget: number | undefined;
  readonly period: BudgetPeriod;
}

/** How long outcomes wait before they are written, at most (they are written in batches). */
const FLUSH_AFTER_MS = 2_000;

/**
 * The API calls of every process sharing the database, in PostgreSQL: each call is
 * claimed before it is sent (one round trip: detractor_sync_claim_api_call, which checks
 * the shared rate window and the period's budget and counts the call), and what it got
 * is recorded afterwards, in batches. Keyed by a fingerprint of the API key.
 */
export class CallLedger {
  readonly fingerprint: string;
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    apiKey: string,
    private readonly log: Logger,
  ) {
    this.fingerprint = keyFingerprint(apiKey);
  }

  async claim(limits: ClaimLimits): Promise<Claim> {
    const row = await claimApiCall(this.db, {
      fingerprint: this.fingerprint,
      perWindow: limits.perWindow ?? null,
      windowMs: limits.windowMs,
      budget: limits.budget ?? null,
      period: limits.period,
    });
    if (row?.granted) return { granted: true };
    if (row?.reason === 'budget') return { granted: false, reason: 'budget' };
    return { granted: false, reason: 'rate', waitMs: row?.wait_ms ?? 1_000 };
  }

  /** What a call got: ok, http_<status>, network, timeout, invalid-response. Written within FLUSH_AFTER_MS. */
  recordOutcome(outcome: string): void {
    this.pending.set(outcome, (this.pending.get(outcome) ?? 0) + 1);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS).unref();
  }

  /** Writes the outcomes recorded so far (also on close: none is lost on a clean stop). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return this.flushing;
    const outcomes = [...batch.keys()];
    const counts = outcomes.map((o) => batch.get(o)!);
    this.flushing = this.flushing
      .then(() => addCallOutcomes(this.db, this.fingerprint, outcomes, counts))
      .then(
        () => undefined,
        // The database may be down: the outcomes are informational (the claims, which the
        // budget counts, were written before each call), so they are logged and dropped.
        (error: unknown) =>
          this.log.warn(
            { errMessage: errorMessage(error), outcomes: Object.fromEntries(batch) },
            'api call outcomes not recorded',
          ),
      );
    return this.flushing;
  }
}
