import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startThrowawayPostgres } from '../db/embedded-postgres.js';
import { labelStatusInSql } from '../db/sql/demo.js';
import { renderConfigurationTable } from '../docs/configuration-table.js';
import { readDictionary, renderDictionary } from '../docs/data-dictionary.js';
import { EXAMPLE_QUERIES } from '../docs/example-queries.js';
import { replaceSection } from '../docs/marked-section.js';
import { renderRows } from '../docs/result-table.js';
import { SyncError } from '../errors.js';
import { createLogger } from '../logging/logger.js';
import { PROJECT_ROOT } from '../project-root.js';
import { DEMO_API_KEY } from '../sim/demo-data.js';
import { QuestionProSimulator } from '../sim/server.js';
import { demoConfig, syncDemoAccount } from './demo.js';
import { openRuntime } from './runtime.js';

const DATE_OID = 1082;

/** The pages `npm run docs` rewrites, relative to the project root. */
export const DATA_MODEL_PAGE = path.join('docs', 'data-model.md');
export const CONFIGURATION_PAGE = path.join('docs', 'configuration.md');

/** Rewrites the named generated sections of one page, leaving its prose as written. */
async function rewriteSections(page: string, sections: Readonly<Record<string, string>>): Promise<void> {
  const file = path.join(PROJECT_ROOT, page);
  let text = await readFile(file, 'utf8');
  for (const [name, content] of Object.entries(sections)) text = replaceSection(text, name, content);
  await writeFile(file, text);
}

/**
 * `npm run docs` (developers): rebuilds the configuration table of docs/configuration.md
 * from the environment schema, and the data dictionary of docs/data-model.md from the
 * database's COMMENTs with the example queries' output from the demo data, in a
 * throwaway embedded PostgreSQL. The demo's scenario on a fresh database: two syncs
 * with tickets closed in time and late in between, so history, closures and SLA states
 * have something to show.
 */
export async function regenerateDocs(): Promise<number> {
  await rewriteSections(CONFIGURATION_PAGE, { configuration: renderConfigurationTable() });
  console.log(`${CONFIGURATION_PAGE} updated: configuration table`);
  const database = await startThrowawayPostgres({ purpose: 'docs' });
  const sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY });
  const config = demoConfig(sim.baseUrl, { DATABASE_URL: database.url });
  const runtime = await openRuntime(config, createLogger({ level: 'warn' }));
  // Dates print as dates (pg would turn them into midnight timestamps).
  const client = new pg.Client({
    connectionString: database.url,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? (v: string) => v : (pg.types.getTypeParser(oid, format) as (value: string) => unknown),
    },
  });
  try {
    const { reports } = await syncDemoAccount(sim, runtime, config);
    const failed = reports.find((r) => r.status !== 'succeeded');
    if (failed)
      throw new SyncError(
        'INTERNAL',
        `demo sync ${failed.runId} ${failed.status}: ${failed.error ?? 'see its lists in sync_run_segments'}`,
      );
    await client.connect();
    await labelStatusInSql(client, 1, 'closed');

    const examples: string[] = [];
    for (const query of EXAMPLE_QUERIES) {
      const result = await client.query(query.sql);
      const columns = result.fields.map((f) => f.name);
      examples.push(`**${query.title}**`, '', '```sql', query.sql, '```', '', '```', renderRows(result.rows, columns), '```', '');
    }
    await rewriteSections(DATA_MODEL_PAGE, {
      dictionary: renderDictionary(await readDictionary(client)),
      examples: examples.join('\n'),
    });
    console.log(`${DATA_MODEL_PAGE} updated: data dictionary and ${EXAMPLE_QUERIES.length} example queries`);
    return 0;
  } finally {
    await client.end().catch(() => undefined);
    await runtime.close();
    await sim.close();
    await database.stop();
  }
}
