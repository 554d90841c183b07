import { regenerateDocs } from '../app/docs.js';
import { defineCommand } from './command.js';
import { plainExitCodes } from './exit-codes.js';

/** `npm run docs` (developers): regenerates the README's data dictionary and example outputs (app/docs.ts). */
export const docsCommand = defineCommand({
  name: 'docs',
  summary: "regenerate the README's data dictionary and example outputs (developers)",
  about: "Rebuilds the README's data dictionary and example query outputs from a throwaway demo database.",
  options: {},
  optionHelp: {},
  exitCodes: plainExitCodes('the demo sync or the README update failed'),
  run: async () => regenerateDocs(),
});
