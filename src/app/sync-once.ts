import os from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { errorMessage } from '../errors.js';
import { listsFor } from '../lists/list.js';
import { maskUrlPassword } from '../logging/logger.js';
import { PUSH_JOB, SyncMetrics } from '../observability/metrics.js';
import type { RunReport } from '../sync/run-sync.js';
import { openRuntime, type Runtime } from './runtime.js';
import { handleStopSignals } from './stop-signals.js';

export interface SyncOnceOptions {
  /** Segments and statuses to sync; default: every configured one. */
  readonly segments?: readonly number[];
  readonly statuses?: readonly number[];
}

/**
 * `npm run sync`: one run, then exit 0 when every list succeeded and 1 otherwise
 * (usable as a Kubernetes CronJob). With METRICS_PUSHGATEWAY_URL, the run's metrics are
 * pushed at the end, also when it could not start. SIGTERM/SIGINT stop the run
 * gracefully (recorded aborted), or forcefully after SHUTDOWN_TIMEOUT_MS.
 */
export async function syncOnce(config: Config, log: Logger, options: SyncOnceOptions = {}): Promise<number> {
  const lists = listsFor(
    options.segments ?? config.sync.segments,
    options.statuses ?? config.sync.statuses,
    config.questionpro.pageSize,
  );
  const metrics = new SyncMetrics();
  metrics.initLists(lists);
  const controller = new AbortController();
  let runtime: Runtime | undefined;
  let report: RunReport | undefined;
  let stopped: () => void = () => undefined;
  const graceful = new Promise<void>((resolve) => (stopped = resolve));
  handleStopSignals({
    log,
    timeoutMs: config.shutdownTimeoutMs,
    // The stop order: the run winds down and is recorded (below, as it ends), then everything closes.
    graceful: async () => {
      controller.abort();
      await graceful;
    },
    forceful: async (reason) => {
      await runtime?.activeRuns.abortAll(reason, log);
      await runtime?.database.embedded?.stop();
    },
  });
  try {
    runtime = await openRuntime(config, log, {
      observers: {
        client: metrics.client,
        run: metrics.run,
        notification: (event, outcome) => metrics.notification(event, outcome),
      },
    });
    try {
      report = await runtime.sync('cli', lists, controller.signal);
      return report.status === 'succeeded' ? 0 : 1;
    } finally {
      await runtime.close();
    }
  } finally {
    // No report: the run could not start (database unreachable, migrations failed).
    if (!report) metrics.runNotStarted();
    if (config.pushgatewayUrl) await pushMetrics(metrics, config.pushgatewayUrl, log);
    stopped();
  }
}

/**
 * Pushes the run's metrics to the Pushgateway, grouped by this host (a CronJob's pod).
 * A gateway that is down costs a warning, never the sync's exit code.
 */
async function pushMetrics(metrics: SyncMetrics, gatewayUrl: string, log: Logger): Promise<void> {
  const where = { pushgateway: maskUrlPassword(gatewayUrl), job: PUSH_JOB, instance: os.hostname() };
  try {
    await metrics.push(gatewayUrl, { instance: where.instance });
    log.info(where, 'metrics pushed');
  } catch (error) {
    log.warn({ ...where, errMessage: errorMessage(error) }, 'metrics not pushed');
  }
}
