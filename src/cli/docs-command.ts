import { regenerateDocs } from '../app/docs.js';
import { defineCommand } from './command.js';
import { plainExitCodes } from './exit-codes.js';

/** `npm run docs` (developers): regenerates the generated parts of docs/configuration.md and docs/data-model.md (app/docs.ts). */
export const docsCommand = defineCommand({
  name: 'docs',
  summary: 'regenerate the generated parts of docs/ (developers)',
  about:
    'Rebuilds the variable table of docs/configuration.md from the configuration schema, and the data dictionary\n' +
    'and example query outputs of docs/data-model.md from a throwaway demo database.',
  options: {},
  optionHelp: {},
  exitCodes: plainExitCodes('the demo sync or the docs update failed'),
  run: async () => regenerateDocs(),
});
