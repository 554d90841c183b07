import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';
import { errorMessage } from '../errors.js';

/** A key's fingerprint: what the ledger is keyed by (the key itself is never stored). */
export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

export type Claim =
  | { readonly granted: true }
  | { readonly granted: false; readonly reason: 'rate'; readonly waitMs: number }
  | { readonly granted: false; readonly reason: 'budget' };

/** A budget period: a day or a billing month, with boundaries at midnight in `timezone`. */
export interface BudgetPeriod {
  readonly period: 'day' | 'month';
  readonly periodStartDay: number;
  readonly timezone: string;
}

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
    const [row] = await this.db.$queryRaw<Array<{ granted: boolean; wait_ms: number | null; reason: string | null }>>(Prisma.sql`
      SELECT granted, wait_ms, reason FROM detractor_sync_claim_api_call(
        ${this.fingerprint}, ${limits.perWindow ?? null}::integer, ${limits.windowMs}::integer, ${limits.budget ?? null}::integer,
        ${limits.period.timezone}, ${limits.period.period}, ${limits.period.periodStartDay}::integer)`);
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
      .then(() =>
        this.db.$executeRaw(Prisma.sql`
          INSERT INTO api_call_ledger AS l (key_fingerprint, minute, outcome, calls)
          SELECT ${this.fingerprint}, date_trunc('minute', now()), o, n FROM unnest(${outcomes}::text[], ${counts}::integer[]) AS b(o, n)
          ON CONFLICT (key_fingerprint, minute, outcome) DO UPDATE SET calls = l.calls + excluded.calls`),
      )
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
