import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.js';
import { createDb, type Db } from '../../src/db/prisma.js';

/** One template per jest run (a stale template from an earlier run is never reused). */
function templateName(): string {
  const run = process.env['DETRACTOR_TEST_RUN'] ?? 'adhoc';
  return `tmpl_${run.replace(/[^a-z0-9_]/gi, '_')}`.toLowerCase();
}
const TEMPLATE_LOCK = 4_815_162;

export interface TestDatabase {
  readonly url: string;
  readonly db: Db;
  /** A plain pg client on the same database, for assertions in SQL. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env['DETRACTOR_TEST_ADMIN_URL'];
  if (!url)
    throw new Error('DETRACTOR_TEST_ADMIN_URL is not set: run the tests through jest (its global setup starts PostgreSQL)');
  return url;
}

export function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database (not migrated), e.g. to test migrations themselves. */
export async function createEmptyDatabase(prefix = 'empty'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return { url: urlFor(name), drop: () => dropDatabase(name) };
}

async function dropDatabase(name: string): Promise<void> {
  if (process.env['KEEP_TEST_DATABASES']) return;
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Builds the migrated template once per jest run, whichever test file gets here first. */
async function ensureTemplate(client: pg.Client): Promise<string> {
  const template = templateName();
  await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${template}_building`);
      await migrate(urlFor(`${template}_building`), pino({ level: 'silent' }));
      await client.query(`ALTER DATABASE ${template}_building RENAME TO ${template}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
  return template;
}

/** A fresh, migrated database cloned from the suite's template. Set KEEP_TEST_DATABASES=1 to keep it for inspection. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(async (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${await ensureTemplate(c)}`));
  const url = urlFor(name);
  const db = createDb(url, { max: 4 });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    db,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    close: async () => {
      await db.$disconnect();
      await pool.end();
      await dropDatabase(name);
    },
  };
}
