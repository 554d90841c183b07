import { parseArgs } from 'node:util';
import { startServiceLogger } from '../app/service-logger.js';
import { syncOnce } from '../app/sync-once.js';
import { loadConfig } from '../config/config.js';
import { parseListValue } from '../config/env-schema.js';
import { ConfigError, errorMessage } from '../errors.js';

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

/** `npm run sync [-- --segment 999 --status 0]`: one run (app/sync-once.ts), exit 0 when every list succeeded. */
export async function syncCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { segment: { type: 'string', multiple: true }, status: { type: 'string', multiple: true } },
    strict: true,
  });
  const segments = integers(values.segment, '--segment');
  const statuses = integers(values.status, '--status');
  const config = loadConfig();
  return syncOnce(config, startServiceLogger(config, 'sync'), { segments, statuses });
}
