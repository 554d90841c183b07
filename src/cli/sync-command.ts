import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { ConfigError } from '../errors.js';
import { onShutdownSignal } from '../scheduler/signals.js';
import { listsFor } from '../sync/run-sync.js';
import { openRuntime } from './runtime.js';

function integers(values: string[] | undefined, flag: string): number[] | undefined {
  if (!values?.length) return undefined;
  return values.map((v) => {
    if (!/^\d+$/.test(v)) throw new ConfigError([{ variable: flag, message: `expected an integer, got "${v}"` }]);
    return Number(v);
  });
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
  onShutdownSignal(log, async () => controller.abort());
  try {
    const report = await runtime.sync('cli', listsFor(segments, statuses, config.questionpro.pageSize), controller.signal);
    return report.status === 'succeeded' ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
