import { Gauge, type Registry } from 'prom-client';
import type { BudgetStatus } from '../budget/budget-status.js';
import { sharedRead } from './metrics.js';

/**
 * The API call budget as Prometheus gauges, read from the ledger at each scrape: the
 * counts are those of every process sharing the key and survive restarts (a counter in
 * one process would do neither). prom-client collects the gauges of a scrape
 * concurrently: they share one read of the ledger. A failed read (the database is
 * down) leaves the last values.
 */
export function registerBudgetMetrics(registry: Registry, read: () => Promise<BudgetStatus>): void {
  const status = sharedRead(read);
  const gauge = (name: string, help: string, value: (s: BudgetStatus) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await status();
        if (s === undefined) return;
        // A gauge without labels would say 0 (a budget of 0 calls, which every pace overruns): absent is honest.
        const v = value(s);
        if (v === undefined) this.remove();
        else this.set(v);
      },
    });
  new Gauge({
    name: 'detractor_sync_api_calls_period',
    help: 'QuestionPro API calls in the current budget period, by outcome (sent: every call; ok, http_<status>, network, timeout, ...), from the shared ledger.',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const s = await status();
      for (const [outcome, calls] of Object.entries(s?.byOutcome ?? {})) this.set({ outcome }, calls);
    },
  });
  gauge(
    'detractor_sync_api_budget_calls',
    'API_CALL_BUDGET: calls allowed per budget period (absent without a budget).',
    (s) => s.budget,
  );
  gauge(
    'detractor_sync_api_budget_remaining_calls',
    'Calls left in the current budget period (absent without a budget).',
    (s) => s.remaining,
  );
  gauge(
    'detractor_sync_api_budget_projected_calls',
    "Calls at the budget period's end at the current pace (the last 24 h).",
    (s) => s.projectedAtPeriodEnd,
  );
  gauge(
    'detractor_sync_api_budget_period_end_timestamp_seconds',
    'Unix time the current budget period ends.',
    (s) => s.periodEnd.getTime() / 1000,
  );
}
