import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { createDb, type Db } from '../db/prisma.js';
import { maskUrlPassword } from '../logging/logger.js';
import { PROJECT_ROOT } from '../project-root.js';
import { QuestionProClient } from '../questionpro/client.js';

/** Where runs without DATABASE_URL keep their embedded PostgreSQL. */
export const EMBEDDED_DATA_DIR = path.join(PROJECT_ROOT, '.data', 'pg');
export const EMBEDDED_PORT = 54329;

export interface Runtime {
  readonly db: Db;
  readonly databaseUrl: string;
  readonly embedded: EmbeddedDatabase | undefined;
  readonly client: QuestionProClient;
  close(): Promise<void>;
}

export function createClient(config: Config, log: Logger): QuestionProClient {
  return new QuestionProClient({ ...config.questionpro, retry: config.retry }, log);
}

/**
 * Everything a command needs: the database (DATABASE_URL, or an embedded PostgreSQL
 * in .data/), migrated before first use, and the API client.
 */
export async function openRuntime(config: Config, log: Logger): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: EMBEDDED_PORT, log });
    databaseUrl = embedded.url;
    log.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded postgres started (DATABASE_URL unset)');
  }
  try {
    const applied = await migrate(databaseUrl, log);
    log.info({ database: maskUrlPassword(databaseUrl), applied: applied.length }, 'database ready');
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createDb(databaseUrl);
  return {
    db,
    databaseUrl,
    embedded,
    client: createClient(config, log),
    close: async () => {
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}
