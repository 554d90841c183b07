import type { Logger } from 'pino';
import { SyncError } from '../errors.js';
import type { RequestGate } from '../questionpro/client.js';
import { abortableSleep } from '../questionpro/sleep.js';
import type { CallLedger, ClaimLimits } from './call-ledger.js';

/**
 * The rate limit and call budget shared by every process on the database: before a
 * call goes out it is claimed in the ledger. A claim over the rate waits until the
 * window has room (the wait is the database's, one clock for all processes); a claim
 * over the budget stops the run (API_BUDGET_EXHAUSTED): the period's calls are spent.
 * The in-process limiter stays in front of it (GateChain), so one process never asks
 * the database more often than it could call.
 */
export class SharedLimiter implements RequestGate {
  private waitedMs = 0;

  constructor(
    private readonly ledger: CallLedger,
    private readonly limits: ClaimLimits,
    private readonly log: Logger,
  ) {}

  get totalWaitMs(): number {
    return this.waitedMs;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const claim = await this.ledger.claim(this.limits);
      if (claim.granted) return;
      if (claim.reason === 'budget') {
        throw new SyncError(
          'API_BUDGET_EXHAUSTED',
          `the API call budget of ${this.limits.budget} calls per ${this.limits.period.period} (API_CALL_BUDGET) is spent: no more calls until the next period`,
          { fatal: true },
        );
      }
      this.log.debug({ waitMs: claim.waitMs }, 'shared rate limit: waiting for the window');
      this.waitedMs += claim.waitMs;
      await abortableSleep(claim.waitMs, signal);
    }
  }
}

/** Gates passed in order: each must let a call through before the next is asked. */
export class GateChain implements RequestGate {
  constructor(private readonly gates: readonly RequestGate[]) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (const gate of this.gates) await gate.acquire(signal);
  }
}
