import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { searchPathOf } from './connection-url.js';

export type Db = PrismaClient;

/**
 * Prisma 7 with the node-postgres driver adapter: no native query engine, so the
 * product runs where Prisma's engine download cannot reach. Model queries name the
 * schema of the URL's search_path (see withSearchPath); raw SQL finds it through
 * the search_path itself.
 */
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const adapter = new PrismaPg(
    {
      connectionString,
      max: options.max ?? 10,
      // Fail fast when the database is unreachable instead of hanging a run.
      connectionTimeoutMillis: 10_000,
      application_name: 'detractor-sync',
    },
    { schema: searchPathOf(connectionString) },
  );
  return new PrismaClient({ adapter });
}
