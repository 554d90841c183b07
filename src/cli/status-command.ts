import { parseArgs } from 'node:util';
import { readStatus } from '../app/status.js';
import { loadStatusConfig } from '../config/command-configs.js';
import { renderStatusText } from '../observability/status-text.js';

/**
 * `npm run status [-- --json] [--runs N]`: the last runs, per segment × status the last
 * success, its age, tickets in the list and the last error, the open and overdue
 * detractors per segment, and the API calls of the budget period with their forecast
 * and per day. The worker's page at / shows the same report.
 */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, runs: { type: 'string', default: '5' } },
    strict: true,
  });
  const runs = Math.max(1, Math.min(100, Number(values.runs) || 5));
  const report = await readStatus(loadStatusConfig(), { runs });
  console.log(values.json ? JSON.stringify(report, null, 2) : renderStatusText(report, runs));
  return 0;
}
