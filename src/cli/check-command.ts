import { checkAccount } from '../app/check.js';
import { checkStopText, renderCheckText } from '../app/check-text.js';
import { openTerminalOutput } from '../app/terminal-progress.js';
import { loadCheckConfig } from '../config/command-configs.js';
import { ConfigError } from '../errors.js';
import { defineCommand } from './command.js';

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
export const checkCommand = defineCommand({
  name: 'check',
  summary: "before the first sync: the key and datacenter, each list's size, what a month of the schedule costs",
  about:
    'Sends one call per configured list (page 1 of each SYNC_SEGMENTS x SYNC_STATUSES at the smallest page; the\n' +
    "first also tries the key against the datacenter), prints each list's tickets and pages, and prices a month of\n" +
    'SYNC_CRON in SYNC_TIMEZONE against API_CALL_BUDGET and the licence allowances (5,000, 10,000, 20,000 calls),\n' +
    'naming a schedule that fits. Needs no database; with DATABASE_URL its calls go into the call ledger.',
  options: { json: { type: 'boolean' }, 'closures-per-day': { type: 'string' }, 'no-progress': { type: 'boolean' } },
  optionHelp: {
    json: { text: 'the report as one JSON document on stdout' },
    'closures-per-day': { value: 'N', text: `closures a day the cost assumes (default ${DEFAULT_CLOSURES_PER_DAY})` },
    'no-progress': { text: 'in a terminal, a line per list as it is counted instead of a live progress display' },
  },
  exitCodes: [
    '0  checked (also when the schedule does not fit: the report says so)',
    '1  the API could not be asked (unreachable after retries, the budget spent)',
    '2  the configuration needs fixing: a refused key or wrong datacenter, a segment the account does not',
    '   have or the key may not read, a wrong variable or option',
  ],
  run: async (values) => {
    const assumptions = { closuresPerDay: closuresPerDay(values['closures-per-day']) };
    const output = openTerminalOutput({ progress: values['no-progress'] !== true, json: values.json === true });
    const report = await checkAccount(loadCheckConfig(), assumptions, output);
    console.log(values.json === true ? JSON.stringify(report, null, 2) : renderCheckText(report));
    const stopped = checkStopText(report);
    if (stopped) console.error(`detractor-sync check: ${stopped}`);
    return report.exitCode;
  },
});
