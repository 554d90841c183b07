import { parseArgs } from 'node:util';
import { runDemo } from '../app/demo.js';

/** `npm run demo [-- --keep-db] [-- --serve]`: the demo account from the built-in simulator (app/demo.ts). */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'keep-db': { type: 'boolean' }, serve: { type: 'boolean' } },
    strict: true,
  });
  return runDemo({ keepDb: values['keep-db'] === true, serve: values.serve === true });
}
