import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';
import { migrate } from '../db/migrate.js';
import { renderRows } from '../docs/result-table.js';
import { createLogger } from '../logging/logger.js';
import { EMBEDDED_DATA_DIR, EMBEDDED_PORT } from './runtime.js';

const RECENT_RUNS = `
SELECT id, trigger, status, started_at, finished_at,
       round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1) AS seconds,
       lists_total AS lists, lists_failed AS failed, pages, tickets_seen AS seen,
       tickets_inserted AS inserted, tickets_updated AS updated, error_code
FROM sync_runs ORDER BY id DESC LIMIT $1`;

const LISTS = `
SELECT h.segment_id, h.status, h.last_success_at, h.last_success_age_seconds AS age_s, h.last_outcome,
       h.tickets_in_list AS tickets, h.last_error_code, left(h.last_error_message, 80) AS last_error,
       h.last_error_request_id AS error_request_id
FROM v_sync_health h ORDER BY h.segment_id, h.status`;

/**
 * `npm run status [-- --json] [--runs N]`: the last runs and, per segment × status,
 * the last success, its age, tickets in the list and the last error. Reads
 * DATABASE_URL (or the embedded database in .data/); needs no API credentials.
 */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, runs: { type: 'string', default: '5' } },
    strict: true,
  });
  const runs = Math.max(1, Math.min(100, Number(values.runs) || 5));
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env['DATABASE_URL'];
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port: EMBEDDED_PORT });
    url = embedded.url;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    // A brand-new database has no tables yet: apply the migrations rather than fail.
    await migrate(url, createLogger({ level: 'warn', pretty: false }));
    await client.connect();
    const recent = await client.query(RECENT_RUNS, [runs]);
    const lists = await client.query(LISTS);
    if (values.json) {
      console.log(
        JSON.stringify(
          { runs: recent.rows, lists: lists.rows },
          (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
          2,
        ),
      );
      return 0;
    }
    console.log(`Last ${runs} runs`);
    console.log(
      renderRows(
        recent.rows,
        recent.fields.map((f) => f.name),
      ),
    );
    console.log('\nLists (segment x status)');
    console.log(
      renderRows(
        lists.rows,
        lists.fields.map((f) => f.name),
      ),
    );
    return 0;
  } finally {
    await client.end().catch(() => undefined);
    await embedded?.stop();
  }
}
