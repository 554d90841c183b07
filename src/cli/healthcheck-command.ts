import { parseArgs } from 'node:util';
import { loadHealthcheckConfig } from '../config/command-configs.js';
import { checkWorkerHealth } from '../observability/worker-state.js';

/** `detractor-sync healthcheck`: exit 0 when the worker on this host is alive, 1 otherwise (the image's HEALTHCHECK). */
export async function healthcheckCommand(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  const { healthy, detail } = await checkWorkerHealth(loadHealthcheckConfig().workerStateFile);
  if (healthy) console.log(`healthy: ${detail}`);
  else console.error(`unhealthy: ${detail}`);
  return healthy ? 0 : 1;
}
