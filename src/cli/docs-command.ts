import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { readDictionary, renderDictionary, replaceSection } from '../docs/data-dictionary.js';
import { EXAMPLE_QUERIES } from '../docs/example-queries.js';
import { renderRows } from '../docs/result-table.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../logging/logger.js';
import { PROJECT_ROOT } from '../project-root.js';
import { DEMO_API_KEY, DEMO_SEGMENTS, DEMO_STATUSES, demoLists } from '../sim/demo-data.js';
import { QuestionProSimulator } from '../sim/server.js';
import { listsFor } from '../sync/run-sync.js';
import { openRuntime } from './runtime.js';

const DATE_OID = 1082;

/**
 * `npm run docs` (developers): rebuilds the README's data dictionary from the
 * database's COMMENTs and the example queries' output from the demo data, in a
 * throwaway embedded PostgreSQL. Two syncs with a few tickets closed in between, so
 * history, closures and SLA states have something to show.
 */
export async function docsCommand(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-docs-'));
  const database = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY, lists: demoLists() });
  const log = createLogger({ level: 'warn' });
  const config = loadConfig({
    QUESTIONPRO_API_KEY: DEMO_API_KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
    SYNC_STATUSES: DEMO_STATUSES.join(','),
    DATABASE_URL: database.url,
  });
  const runtime = await openRuntime(config, log);
  // Dates print as dates (pg would turn them into midnight timestamps).
  const client = new pg.Client({
    connectionString: database.url,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? (v: string) => v : (pg.types.getTypeParser(oid, format) as (value: string) => unknown),
    },
  });
  try {
    const lists = listsFor(DEMO_SEGMENTS, DEMO_STATUSES, config.questionpro.pageSize);
    await runtime.sync('demo', lists);
    for (const segmentId of DEMO_SEGMENTS) {
      for (const ticket of sim.list(segmentId, 0).slice(0, 3)) sim.moveTicket(segmentId, ticket.ticketID, 0, 1);
    }
    await runtime.sync('demo', lists);
    await client.connect();
    await client.query(
      `INSERT INTO detractor_ticket_statuses (status, label, is_open) VALUES (1, 'closed', false) ON CONFLICT DO NOTHING`,
    );

    const examples: string[] = [];
    for (const query of EXAMPLE_QUERIES) {
      const result = await client.query(query.sql);
      const columns = result.fields.map((f) => f.name);
      examples.push(`**${query.title}**`, '', '```sql', query.sql, '```', '', '```', renderRows(result.rows, columns), '```', '');
    }
    const readmePath = path.join(PROJECT_ROOT, 'README.md');
    let readme = await readFile(readmePath, 'utf8');
    readme = replaceSection(readme, 'dictionary', renderDictionary(await readDictionary(client)));
    readme = replaceSection(readme, 'examples', examples.join('\n'));
    await writeFile(readmePath, readme);
    console.log(`README.md updated: data dictionary and ${EXAMPLE_QUERIES.length} example queries`);
    return 0;
  } finally {
    await client.end().catch(() => undefined);
    await runtime.close();
    await sim.close();
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
