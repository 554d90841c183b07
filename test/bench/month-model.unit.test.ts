import { describe, expect, test } from '@jest/globals';
import { simulateMonth } from '../../src/bench/month-model.js';

// A month of 15-minute ticks under a budget, planned by the service's own planner (the
// model costs each read as the sync does; test/sync/incremental-reads.db.test.ts
// counts those costs at the simulator).

const month = { perPage: 100, tickMinutes: 15, days: 30, arrivalsPerHour: 1, closuresPerHour: 1, verifyIntervalSeconds: 86_400 };

describe('a month under a budget', () => {
  test('when 3 lists of 5,000 open tickets run on 20,000 calls a month, then new tickets show within 15 minutes, closures within an hour, each list is verified daily and the budget holds', () => {
    const result = simulateMonth({ ...month, lists: 3, ticketsPerList: 5_000, budget: 20_000 });

    expect(result.calls).toBeLessThanOrEqual(20_000);
    expect(result.arrivalMinutes.max).toBeLessThanOrEqual(15);
    expect(result.closureMinutes.max).toBeLessThanOrEqual(60);
    expect(result.maxUnverifiedHours).toBeLessThanOrEqual(24);
    expect(result.verifications).toBeGreaterThanOrEqual(3 * 30);
  });

  test('when SYNC_VERIFY_INTERVAL asks for more than the budget pays, then verifications stretch and closures still come within the hour', () => {
    const result = simulateMonth({ ...month, lists: 3, ticketsPerList: 5_000, budget: 20_000, verifyIntervalSeconds: 3_600 });

    expect(result.calls).toBeLessThanOrEqual(20_000);
    expect(result.closureMinutes.max).toBeLessThanOrEqual(60);
    expect(result.maxUnverifiedHours).toBeLessThanOrEqual(24);
  });

  test('when the budget is a tenth of what probing every list each tick costs, then it still holds and every list is read in turn', () => {
    const result = simulateMonth({ ...month, lists: 3, ticketsPerList: 5_000, budget: 1_000 });

    expect(result.calls).toBeLessThanOrEqual(1_000);
    expect(result.probes).toBeGreaterThan(0);
    expect(result.arrivalMinutes.max).toBeGreaterThan(15); // what a budget that small costs: freshness
  });
});
