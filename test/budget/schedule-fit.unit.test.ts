import { describe, expect, test } from '@jest/globals';
import type { CostedList } from '../../src/budget/month-cost.js';
import { TICK_MINUTES, cronEvery, describeMinutes, leastIntervalThatFits } from '../../src/budget/schedule-fit.js';

// The schedule `npm run check` suggests when the configured one costs too much.

const settings = { verifyIntervalSeconds: 86_400, statusIntervalSeconds: {} };
const quiet = { closuresPerDay: 0 };
const threeLists: CostedList[] = [0, 1, 2].map(() => ({ status: 0, tickets: 5_000, pages: 50 }));

describe('a schedule that fits', () => {
  test('when 3 lists of 5,000 tickets must fit 20,000 calls, then the shortest interval that does is suggested with the calls it leaves over', () => {
    const fit = leastIntervalThatFits(threeLists, settings, quiet, 20_000);

    // Every 5 minutes: 25,920 probes alone; every 6: 21,600 + 4,500 verifications + 150; every 10: 12,960 + 4,650.
    expect(fit).toMatchObject({ everyMinutes: 10, cron: '*/10 * * * *' });
    expect(fit!.cost.firstMonth).toBe(12_960 + 4_500 + 150);
    expect(fit!.spare).toBe(20_000 - 17_610);
  });

  test('when the target is generous, then a tick every minute is suggested', () => {
    expect(leastIntervalThatFits(threeLists, settings, quiet, 1_000_000)?.everyMinutes).toBe(1);
  });

  test('when not even a tick a day fits, then there is no suggestion', () => {
    // A tick a day: 90 probes, 4,500 verifications, 150 for the first sync.
    expect(leastIntervalThatFits(threeLists, settings, quiet, 4_739)).toBeUndefined();
    expect(leastIntervalThatFits(threeLists, settings, quiet, 4_740)?.everyMinutes).toBe(1_440);
  });

  test('when a budget caps the verifications, then the suggestion counts them capped, as the planner will run them', () => {
    const hourlyVerify = { ...settings, verifyIntervalSeconds: 3_600 };

    const fit = leastIntervalThatFits(threeLists, hourlyVerify, quiet, 20_000, 20_000);

    expect(fit).toBeDefined();
    expect(fit!.cost.verifications).toBeLessThanOrEqual(5_000);
  });

  test('when an interval is suggested, then SYNC_CRON fires exactly that often and its name reads as such', () => {
    expect(TICK_MINUTES.every((m) => (m >= 60 ? 1440 % m === 0 : 60 % m === 0))).toBe(true);
    expect(TICK_MINUTES.map(cronEvery).slice(0, 2)).toEqual(['* * * * *', '*/2 * * * *']);
    expect(cronEvery(30)).toBe('*/30 * * * *');
    expect(cronEvery(60)).toBe('0 * * * *');
    expect(cronEvery(360)).toBe('0 */6 * * *');
    expect(cronEvery(1_440)).toBe('0 0 * * *');
    expect([1, 30, 60, 180, 1_440].map(describeMinutes)).toEqual(['1 minute', '30 minutes', '1 hour', '3 hours', '1 day']);
  });
});
