import { ConfigError, errorMessage, type ConfigProblem } from '../errors.js';
import type { Config } from './config.js';
import { parseListValue } from './env-schema.js';

/** The lists one `sync` covers: every configured one, or the subset its flags name. */
export interface ListSelection {
  readonly segments?: readonly number[];
  readonly statuses?: readonly number[];
}

const FLAGS = {
  segment: { flag: '--segment', variable: 'SYNC_SEGMENTS', what: 'segment IDs', key: 'segments' },
  status: { flag: '--status', variable: 'SYNC_STATUSES', what: 'status codes', key: 'statuses' },
} as const;

/**
 * `sync --segment 999 --status 0`: a subset of the configured lists, each value checked
 * like its variable and against it. A segment outside SYNC_SEGMENTS is refused rather
 * than synced: its names, labels and budget share are configured with the others, and
 * the worker would never sync it again, so its data would go stale unnoticed.
 */
export function selectLists(
  configured: Pick<Config['sync'], 'segments' | 'statuses'>,
  flags: { readonly segment?: readonly string[]; readonly status?: readonly string[] },
): ListSelection {
  const problems: ConfigProblem[] = [];
  const selection: { segments?: number[]; statuses?: number[] } = {};
  for (const name of ['segment', 'status'] as const) {
    const values = flags[name];
    if (!values?.length) continue;
    const { flag, variable, what, key } = FLAGS[name];
    let asked: number[];
    try {
      asked = [...new Set(values.flatMap((v) => parseListValue(v, what)))];
    } catch (error) {
      problems.push({ variable: flag, message: errorMessage(error) });
      continue;
    }
    const allowed = configured[key];
    const outside = asked.filter((v) => !allowed.includes(v));
    if (outside.length > 0) {
      problems.push({
        variable: flag,
        message: `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in ${variable} (${allowed.join(', ')}): ${flag} picks from the configured ${what}`,
      });
      continue;
    }
    selection[key] = asked;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return selection;
}
