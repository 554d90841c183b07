import { parseArgs } from 'node:util';
import { startServiceLogger } from '../app/service-logger.js';
import { runWorker } from '../app/worker-app.js';
import { loadConfig } from '../config/config.js';

/** `npm start`: the long-running worker (app/worker-app.ts); exits 0 after SIGTERM/SIGINT. */
export async function workerCommand(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  const config = loadConfig();
  return runWorker(config, startServiceLogger(config, 'worker'));
}
