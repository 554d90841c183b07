import { showStatus } from '../app/status.js';
import { loadStatusConfig } from '../config/command-configs.js';
import { ConfigError } from '../errors.js';
import { defineCommand } from './command.js';

const MAX_RUNS = 100;

/**
 * `npm run status [-- --json] [--runs N]`: the last runs, per segment × status the last
 * success, its age, tickets in the list and the last error, the open and overdue
 * detractors per segment, and the API calls of the budget period with their forecast
 * and per day. The worker's page at / shows the same report.
 */
export const statusCommand = defineCommand({
  name: 'status',
  summary: "the last runs, each list's freshness and last error, open detractors, API calls (read-only)",
  about:
    "The status report of DATABASE_URL's database (or the embedded one in .data/). It only reads: no\n" +
    'migration, nothing created, so the read-only role (npm run db:readonly-role, --no-pii too) may run it.\n' +
    "Needs no API key; with QUESTIONPRO_API_KEY the budget shown is that key's. For JSON alone from npm:\n" +
    'npm run -s status -- --json (without -s, npm prints its own lines on stdout first).',
  options: { json: { type: 'boolean' }, runs: { type: 'string', default: '5' } },
  optionHelp: {
    json: { text: 'the report as one JSON document on stdout (notes: what it could not show)' },
    runs: { value: 'N', text: `how many of the last runs to show, 1 to ${MAX_RUNS} (default 5)` },
  },
  exitCodes: [
    '0  reported (also when no sync has run yet)',
    '1  the database could not be read (unreachable)',
    '2  the configuration or an option is wrong, the role may not read the views, or the database is older',
    '   than this build (status does not migrate: the next sync does)',
  ],
  run: async (values) => {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS)
      throw new ConfigError([{ variable: '--runs', message: `expected a whole number between 1 and ${MAX_RUNS}` }]);
    return showStatus(loadStatusConfig(), { runs, json: values.json === true });
  },
});
