import { RECENT_RUNS_PSQL, type DemoTotals } from '../db/sql/demo.js';
import { DEMO_CHANGE } from '../sim/demo-scenario.js';
import { DEMO_SEGMENTS } from '../sim/demo-data.js';
import type { RunReport } from '../sync/run-sync.js';
import type { Database } from './open-database.js';
import { printRunSummary } from './run-summary.js';

/** What the demo prints: each sync's lists, then where the open tickets stand. */
export function printDemoSummary(
  reports: readonly RunReport[],
  totals: DemoTotals,
  { baseUrl, anchor, fresh }: { baseUrl: string; anchor: Date; fresh: boolean },
): void {
  const closed = DEMO_CHANGE.closedInTime + DEMO_CHANGE.closedLate;
  const change = `${closed} tickets closed and ${DEMO_CHANGE.arrivals} new in each of ${DEMO_SEGMENTS.length} segments`;
  console.log(`\ndetractor-sync demo against the simulator at ${baseUrl}, tickets dated up to ${anchor.toISOString()}`);
  console.log(
    fresh
      ? `A fresh database: two syncs, the account and then the account after a change (${change}).`
      : `The database holds the demo already: one sync of its account as it is after the change (${change}).`,
  );
  const labels = fresh ? ['before the change', 'after the change'] : ['the account after the change, again'];
  reports.forEach((report, i) => printRunSummary(report, labels[i] ?? ''));
  console.log(
    `\n${totals.tickets} tickets in the database; open tickets: ${totals.open} (${totals.dueWithin24h} due within 24 h, ` +
      `${totals.overdue} overdue); closed since first sync: ${totals.closedInTime} in time, ${totals.closedLate} late`,
  );
  if (fresh)
    console.log(
      'A run that finds nothing changed probes each open list with one call (page 1 against the stored head): run the demo again to see it.',
    );
}

export function printConnectionHelp(database: Database, keep: boolean): void {
  if (!database.embedded) {
    console.log('\nData is in the database named by DATABASE_URL: psql "$DATABASE_URL"');
    return;
  }
  console.log(`\nData is kept in ${database.embedded.dataDir} (embedded PostgreSQL).`);
  const psql = `psql "${database.embedded.url}" -c '${RECENT_RUNS_PSQL}'`;
  if (keep) console.log(`It runs until Ctrl-C; connect with:\n  ${psql}`);
  else console.log(`To explore it with psql, run \`npm run demo -- --keep-db\` and, while it waits:\n  ${psql}`);
}
