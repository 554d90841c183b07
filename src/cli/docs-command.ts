import { parseArgs } from 'node:util';
import { regenerateDocs } from '../app/docs.js';

/** `npm run docs` (developers): regenerates the generated parts of docs/configuration.md and docs/data-model.md (app/docs.ts). */
export async function docsCommand(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  return regenerateDocs();
}
