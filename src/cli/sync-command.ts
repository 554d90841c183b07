import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { parseListValue } from '../config/env-schema.js';
import { ConfigError, errorMessage } from '../errors.js';
import { onShutdownSignal } from '../scheduler/signals.js';
import { listsFor } from '../sync/run-sync.js';
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
 * `npm run sync [-- --segment 999 --status 0]`: one run, then exit 0 when every list
 * succeeded and 1 otherwise (usable as a Kubernetes CronJob).
 */
export async function syncCommand(config: Config, log: Logger, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { segment: { type: 'string', multiple: true }, status: { type: 'string', multiple: true } },
    strict: true,
  });
  const segments = integers(values.segment, '--segment') ?? config.sync.segments;
  const statuses = integers(values.status, '--status') ?? config.sync.statuses;

  const runtime = await openRuntime(config, log);
  const controller = new AbortController();
  onShutdownSignal(log, () => controller.abort());
  try {
    const report = await runtime.sync('cli', listsFor(segments, statuses, config.questionpro.pageSize), controller.signal);
    return report.status === 'succeeded' ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
