import { parseArgs } from 'node:util';
import { checkAccount } from '../app/check.js';
import { checkStopText, renderCheckText } from '../app/check-text.js';
import { loadCheckConfig } from '../config/command-configs.js';
import { ConfigError } from '../errors.js';

/** The closures a day the cost assumes unless told: one an hour, as `npm run bench -- --cost` models a month. */
const DEFAULT_CLOSURES_PER_DAY = 24;

function closuresPerDay(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CLOSURES_PER_DAY;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 1_000_000) {
    throw new ConfigError([{ variable: '--closures-per-day', message: 'expected a whole number from 0 to 1000000' }]);
  }
  return Number(value);
}

/**
 * `npm run check [-- --json] [--closures-per-day N]`: verifies the key and datacenter,
 * counts each configured list (one call each) and costs a month of the schedule
 * (app/check.ts). Exit 0 checked, 2 the configuration needs fixing, 1 anything else failed.
 */
export async function checkCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, 'closures-per-day': { type: 'string' } },
    strict: true,
  });
  const assumptions = { closuresPerDay: closuresPerDay(values['closures-per-day']) };
  const report = await checkAccount(loadCheckConfig(), assumptions);
  console.log(values.json ? JSON.stringify(report, null, 2) : renderCheckText(report));
  const stopped = checkStopText(report);
  if (stopped) console.error(`detractor-sync check: ${stopped}`);
  return report.exitCode;
}
