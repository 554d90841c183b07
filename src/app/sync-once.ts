import os from 'node:os';
import type { Logger } from 'pino';
import { secretsOf, type Config } from '../config/config.js';
import type { ListSelection } from '../config/list-selection.js';
import { errorMessage } from '../errors.js';
import { listsFor } from '../lists/list.js';
import { maskUrlPassword } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { PUSH_JOB, SyncMetrics } from '../observability/metrics.js';
import type { RunReport } from '../sync/run-sync.js';
import { describeVerdict, printRunSummary } from './run-summary.js';
import { runVerdict, type RunVerdict } from './run-verdict.js';
import { openRuntime, type Runtime } from './runtime.js';
import { handleStopSignals } from './stop-signals.js';
import { pageLogLevel, withRunProgress, type TerminalOutput } from './terminal-progress.js';

/** Segments and statuses to sync (config/list-selection.ts; default: every configured one), and where output goes. */
export type SyncOnceOptions = ListSelection & { readonly output?: TerminalOutput };

/**
 * `npm run sync`: one run, then exit (usable as a Kubernetes CronJob): 0 when nothing
 * failed (lists the budget deferred included), 1 when a list failed or did not settle,
 * 2 when the API refused the key (run-verdict.ts). In a terminal it ends with a table of
 * its lists. With METRICS_PUSHGATEWAY_URL, the run's metrics are pushed at the end, also
 * when it could not start. SIGTERM/SIGINT stop the run gracefully (recorded aborted), or
 * forcefully after SHUTDOWN_TIMEOUT_MS.
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
      pageLogLevel: pageLogLevel(options.output),
    });
    const opened = runtime;
    try {
      report = await withRunProgress(options.output, config, lists, (watch) =>
        opened.sync('cli', lists, controller.signal, watch),
      );
      const verdict = runVerdict(report);
      await tellVerdict(report, verdict, log, new SecretRedactor(secretsOf(config)));
      return verdict.exitCode;
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
 * What the exit code means, said once: lists the budget deferred (a log line: nothing
 * failed), a key the API refused (one line on stderr, the API's answer and the variable to
 * fix), and in a terminal the run's table and a sentence on its exit code.
 */
async function tellVerdict(report: RunReport, verdict: RunVerdict, log: Logger, redactor: SecretRedactor): Promise<void> {
  if (verdict.exitCode === 0 && verdict.deferred > 0) {
    const fields = { deferred: verdict.deferred, lists: report.lists.length, exitCode: 0 };
    if (report.status === 'skipped') log.warn(fields, 'every list deferred by the API call budget: nothing failed');
    else log.info(fields, 'lists deferred by the API call budget: nothing failed');
  }
  if (process.stdout.isTTY) {
    // The pretty log lines go through a worker thread: let them out before the table.
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    printRunSummary(report, '');
  }
  // The API's answer passed its text gate already; the key is taken out by value all the same.
  if (verdict.keyProblem) console.error(`detractor-sync: ${redactor.redact(verdict.keyProblem.headline)}`);
  else if (process.stdout.isTTY) console.log(describeVerdict(verdict, report.lists.length));
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
