import { startServiceLogger } from '../app/service-logger.js';
import { runWorker } from '../app/worker-app.js';
import { loadConfig } from '../config/config.js';
import { defineCommand } from './command.js';

/** `npm start`: the long-running worker (app/worker-app.ts); exits 0 after SIGTERM/SIGINT. */
export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'sync on the SYNC_CRON schedule until SIGTERM (npm start)',
  about:
    'The long-running worker: syncs on SYNC_CRON (and at start unless SYNC_RUN_ON_START=false), serves the\n' +
    'status page, /healthz, /readyz and /metrics on HTTP_HOST:HTTP_PORT. A run that fails, or a key the API\n' +
    'refuses, is logged and retried at the next tick; SIGTERM or SIGINT stops it gracefully.',
  options: {},
  optionHelp: {},
  exitCodes: [
    '0  stopped by SIGTERM or SIGINT',
    '1  could not start, or stopped forcefully (a second signal, or past SHUTDOWN_TIMEOUT_MS)',
    '2  the configuration is wrong, or a database this build must not migrate',
  ],
  run: async () => {
    const config = loadConfig();
    return runWorker(config, startServiceLogger(config, 'worker'));
  },
});
