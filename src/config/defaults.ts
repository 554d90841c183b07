import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root.js';

/** Where runs without DATABASE_URL keep their embedded PostgreSQL. */
export const EMBEDDED_DATA_DIR = path.join(PROJECT_ROOT, '.data', 'pg');

/** Where the worker records its pid, endpoint and heartbeat when WORKER_STATE_FILE is unset. */
export const DEFAULT_WORKER_STATE_FILE = path.join(os.tmpdir(), 'detractor-sync-worker.json');
