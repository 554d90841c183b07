import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';

/**
 * A repeat of the stop signal this soon after the first is the same request: npm
 * forwards the signal a process group already got (so node receives it twice within
 * milliseconds), and a person taps Ctrl-C twice. Only a later one means "now".
 */
export const REPEAT_GRACE_MS = 2_000;
/** What a forced stop may still spend on its last steps (recording the run aborted) before the process exits. */
const FORCED_STEPS_MS = 8_000;

export interface StopPlan {
  readonly log: Logger;
  /** SHUTDOWN_TIMEOUT_MS: how long the graceful stop may take before it turns forceful. */
  readonly timeoutMs: number;
  /** The graceful stop, in its order (the caller's stop order); the caller exits when it is done. */
  graceful(signal: NodeJS.Signals): Promise<void>;
  /** What a forced stop still does (record the run aborted, stop the embedded server) before exiting 1. */
  forceful(reason: string): Promise<void>;
}

/**
 * The first SIGTERM or SIGINT starts the graceful stop: the page being written commits,
 * the run is recorded aborted, everything closes in order. A repeat within
 * REPEAT_GRACE_MS does not cut it short. After `timeoutMs`, or at a signal after the
 * grace, the stop turns forceful: it still tries to record the runs in progress as
 * aborted (within seconds), then the process exits 1.
 */
export function handleStopSignals(plan: StopPlan): void {
  let startedAt: number | undefined;
  let forced = false;
  const force = (reason: string) => {
    if (forced) return;
    forced = true;
    plan.log.warn({ reason }, 'stopping forcefully');
    const exit = setTimeout(() => process.exit(1), FORCED_STEPS_MS);
    void plan
      .forceful(reason)
      .catch((error: unknown) => plan.log.error({ errMessage: errorMessage(error) }, 'forced stop failed'))
      .finally(() => {
        clearTimeout(exit);
        process.exit(1);
      });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (startedAt === undefined) {
      startedAt = performance.now();
      plan.log.info({ signal, timeoutMs: plan.timeoutMs }, 'shutdown requested');
      const deadline = setTimeout(
        () => force(`the stop took longer than SHUTDOWN_TIMEOUT_MS (${plan.timeoutMs} ms)`),
        plan.timeoutMs,
      );
      void plan
        .graceful(signal)
        .catch((error: unknown) => plan.log.error({ errMessage: errorMessage(error) }, 'shutdown failed'))
        .finally(() => clearTimeout(deadline));
      return;
    }
    if (performance.now() - startedAt < REPEAT_GRACE_MS) {
      plan.log.debug({ signal }, 'repeated stop signal within the grace: the stop goes on');
      return;
    }
    force(`${signal} again while stopping`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
