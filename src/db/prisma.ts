import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

/**
 * Prisma 7 with the node-postgres driver adapter: no native query engine, so the
 * product runs where Prisma's engine download cannot reach.
 */
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? 10,
    // Fail fast when the database is unreachable instead of hanging a run.
    connectionTimeoutMillis: 10_000,
    application_name: 'detractor-sync',
  });
  return new PrismaClient({ adapter });
}
