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
import { DEMO_API_KEY, DEMO_SEGMENT_NAMES, DEMO_SEGMENTS, DEMO_STATUS_LABELS, DEMO_STATUSES } from '../sim/demo-data.js';
import { runDemoScenario } from '../sim/demo-scenario.js';
import { QuestionProSimulator } from '../sim/server.js';
import { listsFor } from '../sync/run-sync.js';
import { readDemoAnchor } from './demo-database.js';
import { openRuntime } from './runtime.js';

const DATE_OID = 1082;

/**
 * `npm run docs` (developers): rebuilds the README's data dictionary from the
 * database's COMMENTs and the example queries' output from the demo data, in a
 * throwaway embedded PostgreSQL. The demo's scenario on a fresh database: two syncs
 * with tickets closed in time and late in between, so history, closures and SLA states
 * have something to show.
 */
export async function docsCommand(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'detractor-sync-docs-'));
  const database = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY });
  const log = createLogger({ level: 'warn' });
  const config = loadConfig({
    QUESTIONPRO_API_KEY: DEMO_API_KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
    SYNC_STATUSES: DEMO_STATUSES.join(','),
    SYNC_SEGMENT_NAMES: DEMO_SEGMENT_NAMES,
    SYNC_STATUS_LABELS: DEMO_STATUS_LABELS,
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
    const { anchor, fresh } = await readDemoAnchor(runtime.db);
    const runs = await runDemoScenario(sim, { anchor, fresh, sync: () => runtime.sync('demo', lists) });
    const failed = runs.find((r) => r.status !== 'succeeded');
    if (failed)
      throw new Error(`demo sync ${failed.runId} ${failed.status}: ${failed.error ?? 'see its lists in sync_run_segments'}`);
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
