import { startServiceLogger } from '../app/service-logger.js';
import { syncOnce } from '../app/sync-once.js';
import { openTerminalOutput } from '../app/terminal-progress.js';
import { loadConfig } from '../config/config.js';
import { selectLists } from '../config/list-selection.js';
import { defineCommand } from './command.js';
import { SYNC_EXIT_CODES } from './exit-codes.js';

/** `npm run sync [-- --segment 999 --status 0]`: one run (app/sync-once.ts), of every configured list or a subset of them. */
export const syncCommand = defineCommand({
  name: 'sync',
  summary: 'one sync of every configured list, then exit (for a CronJob, or by hand)',
  about:
    'One sync of every list SYNC_SEGMENTS x SYNC_STATUSES names, then exit. Needs QUESTIONPRO_API_KEY and\n' +
    'SYNC_SEGMENTS (.env.example lists every variable); DATABASE_URL, or an embedded PostgreSQL in .data/.\n' +
    'In a terminal it shows its progress (pages of each list, calls, time left) and ends with a table of its\n' +
    'lists; piped or redirected, it logs JSON lines, every page with its requestID.',
  options: {
    segment: { type: 'string', multiple: true },
    status: { type: 'string', multiple: true },
    'no-progress': { type: 'boolean' },
  },
  optionHelp: {
    segment: { value: 'N', text: 'only this segment, one of SYNC_SEGMENTS (repeatable, or N,M)' },
    status: { value: 'N', text: 'only this status, one of SYNC_STATUSES (repeatable, or N,M)' },
    'no-progress': { text: 'in a terminal, a line per list as it ends instead of a live progress display' },
  },
  exitCodes: SYNC_EXIT_CODES,
  run: async (values) => {
    const config = loadConfig();
    const lists = selectLists(config.sync, values);
    const output = openTerminalOutput({ progress: values['no-progress'] !== true });
    return syncOnce(config, startServiceLogger(config, 'sync', output), { ...lists, output });
  },
});
