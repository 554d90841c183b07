import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { parseListValue } from '../config/env-schema.js';
import { ConfigError, errorMessage } from '../errors.js';
import { maskUrlPassword } from '../logging/logger.js';
import { PUSH_JOB, SyncMetrics } from '../observability/metrics.js';
import { onShutdownSignal } from '../scheduler/signals.js';
import { listsFor, type RunReport } from '../sync/run-sync.js';
import { openRuntime } from './runtime.js';

/** Repeated `--segment` / `--status` flags, checked against the same ranges as the variables. */
function integers(values: string[] | undefined, flag: '--segment' | '--status'): number[] | undefined {
  if (!values?.length) return undefined;
  const what = flag === '--segment' ? 'segment IDs' : 'status codes';
  return [
    ...new Set(
      values.flatMap((v) => {
        try {
          return parseListValue(v, what);
        } catch (error) {
          throw new ConfigError([{ variable: flag, message: errorMessage(error) }]);
        }
      }),
    ),
  ];
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

/**
 * `npm run sync [-- --segment 999 --status 0]`: one run, then exit 0 when every list
 * succeeded and 1 otherwise (usable as a Kubernetes CronJob). With
 * METRICS_PUSHGATEWAY_URL, the run's metrics are pushed at the end, also when it could
 * not start.
 */
export async function syncCommand(config: Config, log: Logger, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { segment: { type: 'string', multiple: true }, status: { type: 'string', multiple: true } },
    strict: true,
  });
  const segments = integers(values.segment, '--segment') ?? config.sync.segments;
  const statuses = integers(values.status, '--status') ?? config.sync.statuses;
  const lists = listsFor(segments, statuses, config.questionpro.pageSize);

  const metrics = new SyncMetrics();
  metrics.initLists(lists);
  let report: RunReport | undefined;
  try {
    const runtime = await openRuntime(config, log, { observers: { client: metrics.client, run: metrics.run } });
    const controller = new AbortController();
    onShutdownSignal(log, () => controller.abort());
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
  }
}
