import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { readDictionary, renderDictionary } from '../../src/docs/data-dictionary.js';
import { EXAMPLE_QUERIES } from '../../src/docs/example-queries.js';
import { readSection } from '../../src/docs/marked-section.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { loadConfig } from '../../src/config/config.js';
import { applyReportingConfig } from '../../src/db/sql/reporting.js';
import {
  DEMO_API_KEY,
  DEMO_SEGMENT_NAMES,
  DEMO_SEGMENTS,
  DEMO_STATUS_LABELS,
  DEMO_STATUSES,
  demoLists,
} from '../../src/sim/demo-data.js';
import { runDemoScenario } from '../../src/sim/demo-scenario.js';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { listsFor } from '../../src/lists/list.js';
import { runSync } from '../../src/sync/run-sync.js';
import { QuestionProClient } from '../../src/questionpro/client.js';
import { captureLogger } from '../support/capture-logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const dataModel = readFileSync(path.join(PROJECT_ROOT, 'docs', 'data-model.md'), 'utf8');

describe('the self-documenting schema', () => {
  let tdb: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await tdb.close();
  });

  test('when the catalog is read, then every table, view and column has a comment', async () => {
    const entries = await readDictionary(client);
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining(['detractor_tickets', 'v_open_detractor_tickets', 'v_sync_health']),
    );
    const missing = entries.flatMap((e) => [
      ...(e.description ? [] : [e.name]),
      ...e.columns.filter((c) => !c.description).map((c) => `${e.name}.${c.name}`),
    ]);
    expect(missing).toEqual([]);
  });

  test('when rating is described, then nothing calls it an NPS score: only detractors are synced', async () => {
    const described = await client.query<{ text: string }>(
      `SELECT string_agg(col_description(c.oid, a.attnum), ' ') AS text
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND a.attname = 'rating'`,
    );
    expect(described.rows[0]!.text).toMatch(/0-10 answer to the likelihood-to-recommend question/);
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(`${described.rows[0]!.text} ${dataModel} ${readme}`).not.toMatch(/NPS score/i);
    expect(dataModel).toMatch(/cannot give an NPS/);
  });

  test('when the data dictionary of docs/data-model.md is compared with the comments, then it is exactly what they generate', async () => {
    // If this fails after a migration: run `npm run docs` and commit docs/data-model.md.
    expect(readSection(dataModel, 'dictionary')).toBe(renderDictionary(await readDictionary(client)));
  });
});

describe('the example queries of docs/data-model.md', () => {
  let tdb: TestDatabase;
  let sim: QuestionProSimulator;
  let client: pg.Client;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    sim = await QuestionProSimulator.start({ apiKey: DEMO_API_KEY, lists: demoLists() });
    const { log } = captureLogger('warn');
    const source = new QuestionProClient(
      { baseUrl: sim.baseUrl, apiKey: DEMO_API_KEY, timeoutMs: 5_000, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 5 } },
      log,
    );
    const lists = listsFor(DEMO_SEGMENTS, DEMO_STATUSES, 100);
    await runDemoScenario(sim, {
      anchor: new Date(),
      fresh: true,
      sync: () => runSync({ db: tdb.db, databaseUrl: tdb.url, source, log }, { trigger: 'demo', lists }),
    });
    // As the demo does at start: its segment names and status labels.
    await applyReportingConfig(
      tdb.db,
      loadConfig({
        QUESTIONPRO_API_KEY: DEMO_API_KEY,
        SYNC_SEGMENTS: DEMO_SEGMENTS.join(','),
        SYNC_STATUSES: DEMO_STATUSES.join(','),
        SYNC_SEGMENT_NAMES: DEMO_SEGMENT_NAMES,
        SYNC_STATUS_LABELS: DEMO_STATUS_LABELS,
      }),
    );
    client = new pg.Client({ connectionString: tdb.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await sim.close();
    await tdb.close();
  });

  test.each(EXAMPLE_QUERIES.map((q) => [q.title, q.sql]))(
    'when "%s" is run on the demo data, then it returns rows and is in docs/data-model.md verbatim',
    async (_title, sql) => {
      expect(readSection(dataModel, 'examples')).toContain(sql);
      const result = await client.query(sql);
      expect(result.rows.length).toBeGreaterThan(0);
    },
  );

  test('when the demo data is queried, then the open-ticket example counts what the simulator holds open, by name', async () => {
    const result = await client.query<{ segment_name: string; open_tickets: string }>(EXAMPLE_QUERIES[0]!.sql);
    const names = new Map(DEMO_SEGMENT_NAMES.split(';').map((pair) => pair.split('=') as [string, string]));
    expect(result.rows.map((r) => [r.segment_name, Number(r.open_tickets)])).toEqual(
      DEMO_SEGMENTS.map((s) => [names.get(String(s)), sim.list(s, 0).length]),
    );
  });

  test('when the demo data is queried, then every SLA state and both status labels show', async () => {
    const result = await client.query<{ status_label: string; sla_state: string }>(EXAMPLE_QUERIES[4]!.sql);
    expect(result.rows.map((r) => `${r.status_label}/${r.sla_state}`)).toEqual([
      'open/open',
      'open/open_overdue',
      'closed/closed_in_time',
      'closed/closed_late',
      'closed/closed_unknown',
    ]);
  });
});
