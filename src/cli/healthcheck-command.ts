import { loadHealthcheckConfig } from '../config/command-configs.js';
import { checkWorkerHealth } from '../observability/worker-state.js';
import { defineCommand } from './command.js';

/** `detractor-sync healthcheck`: exit 0 when the worker on this host is alive, 1 otherwise (the image's HEALTHCHECK). */
export const healthcheckCommand = defineCommand({
  name: 'healthcheck',
  summary: "exit 0 when the worker on this host answers (the image's HEALTHCHECK)",
  about:
    'Probes the status endpoint where the worker of this host says it listens (WORKER_STATE_FILE), or, with\n' +
    'the endpoint off (HTTP_PORT=0), checks that its heartbeat is fresh.',
  options: {},
  optionHelp: {},
  exitCodes: ['0  healthy', '1  no worker, or it does not answer', '2  the configuration or an option is wrong'],
  run: async () => {
    const { healthy, detail } = await checkWorkerHealth(loadHealthcheckConfig().workerStateFile);
    if (healthy) console.log(`healthy: ${detail}`);
    else console.error(`unhealthy: ${detail}`);
    return healthy ? 0 : 1;
  },
});
