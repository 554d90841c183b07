import { runDemo } from '../app/demo.js';
import { openTerminalOutput } from '../app/terminal-progress.js';
import { defineCommand } from './command.js';
import { plainExitCodes } from './exit-codes.js';

/** `npm run demo [-- --keep-db] [-- --serve]`: the demo account from the built-in simulator (app/demo.ts). */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'the demo account from the built-in simulator: no credentials, no network',
  about:
    'Syncs the demo account of the built-in QuestionPro simulator (on 127.0.0.1) into an embedded PostgreSQL\n' +
    'in .data/ (or DATABASE_URL): two syncs on a fresh database, one on a rerun. Needs no configuration.',
  options: { 'keep-db': { type: 'boolean' }, serve: { type: 'boolean' }, 'no-progress': { type: 'boolean' } },
  optionHelp: {
    'keep-db': { text: 'keep the database running for psql until Ctrl-C' },
    'no-progress': { text: 'in a terminal, a line per list as it ends instead of a live progress display' },
    serve: { text: "then serve the demo database's status page on 127.0.0.1 (HTTP_PORT or a free port) until Ctrl-C" },
  },
  exitCodes: plainExitCodes('a demo sync failed'),
  run: async (values) =>
    runDemo({
      keepDb: values['keep-db'] === true,
      serve: values.serve === true,
      output: openTerminalOutput({ progress: values['no-progress'] !== true }),
    }),
});
