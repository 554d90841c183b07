import { describe, expect, test } from '@jest/globals';
import { simulateMonth } from '../../src/bench/month-model.js';
import { budgetPerMonth, closureCalls, monthCost, type CostedList } from '../../src/budget/month-cost.js';

// The cost model `npm run check` prints: a formula, held here to the README's numbers and
// to the month the benchmark simulates with the planner itself.

const EVERY_15_MINUTES = 30 * 24 * 4; // 2,880 ticks
const daily = { ticksPerMonth: EVERY_15_MINUTES, verifyIntervalSeconds: 86_400, statusIntervalSeconds: {} };
const quiet = { closuresPerDay: 0 };
const list = (tickets: number, status = 0): CostedList => ({ status, tickets, pages: Math.max(1, Math.ceil(tickets / 100)) });

describe('a month of the schedule, in calls', () => {
  test('when nothing changes, then it is one probe per list per tick, a full read of every list each SYNC_VERIFY_INTERVAL, and the first sync once', () => {
    const cost = monthCost([list(5_000), list(250)], daily, quiet);

    expect(cost).toEqual({
      probes: 2 * 2_880, // lists × 43,200 / 15
      verifications: (50 + 3) * 30, // Σ pages × 30 × 86,400 / V
      closures: 0,
      month: 5_760 + 1_590,
      firstSync: 53,
      firstMonth: 5_760 + 1_590 + 53,
      verifyEverySeconds: 86_400,
    });
  });

  test('when tickets close, then each costs ⌈log2 pages⌉ + 1 calls beyond the probe, spread over the lists by their size', () => {
    const cost = monthCost([list(5_000)], daily, { closuresPerDay: 24 });

    expect(closureCalls(50)).toBe(7); // ⌈log2 50⌉ = 6 bisection reads and page 1 again
    expect(cost.closures).toBe(24 * 30 * 7);
  });

  test('when a list has a page or two, then locating a closure costs no more than reading it', () => {
    expect(closureCalls(1)).toBe(1);
    expect(closureCalls(2)).toBe(2);
    expect(closureCalls(3)).toBe(3);
  });

  test('when SYNC_STATUS_INTERVALS limits a status, then its lists are probed and verified only as often as that allows', () => {
    const limited = { ...daily, statusIntervalSeconds: { 1: 6 * 3_600 } };

    const cost = monthCost([list(250, 0), list(250, 1)], limited, quiet);

    expect(cost.probes).toBe(2_880 + 4 * 30); // status 1: every 6 h, 24 ticks apart
    expect(cost.verifications).toBe(3 * 30 * 2);
  });

  test('when SYNC_VERIFY_INTERVAL is 0, then every read is a full read', () => {
    const cost = monthCost([list(1_000)], { ...daily, verifyIntervalSeconds: 0 }, quiet);

    expect(cost.verifications).toBe(2_880 * 10);
  });

  test('when API_CALL_BUDGET could not pay for the verifications, then they are capped at a quarter of it as the planner caps them', () => {
    const hourly = { ...daily, verifyIntervalSeconds: 3_600 };

    const uncapped = monthCost([list(5_000)], hourly, quiet);
    const capped = monthCost([list(5_000)], hourly, quiet, 20_000);

    expect(uncapped.verifications).toBe(50 * 24 * 30);
    expect(capped.verifications).toBeLessThanOrEqual(20_000 / 4);
    expect(capped.verifyEverySeconds).toBeGreaterThan(3_600);
  });

  test('when API_CALL_BUDGET is a day’s, then a month is 30 of them', () => {
    expect(budgetPerMonth(700, 'day')).toBe(21_000);
    expect(budgetPerMonth(20_000, 'month')).toBe(20_000);
  });

  test.each([
    [1, 5_000],
    [3, 5_000],
  ])(
    'when %i list(s) of %i tickets are simulated for a month with the planner, then the formula is within 3%% of the calls it spends',
    (lists, ticketsPerList) => {
      const simulated = simulateMonth({
        lists,
        ticketsPerList,
        perPage: 100,
        budget: 1_000_000, // generous: the planner stretches nothing
        tickMinutes: 15,
        days: 30,
        arrivalsPerHour: 0,
        closuresPerHour: 1,
        verifyIntervalSeconds: 86_400,
      });

      const cost = monthCost(
        Array.from({ length: lists }, () => list(ticketsPerList)),
        daily,
        { closuresPerDay: 24 },
      );

      expect(Math.abs(cost.firstMonth - simulated.calls) / simulated.calls).toBeLessThan(0.03);
    },
  );
});
