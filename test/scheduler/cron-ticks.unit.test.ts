import { describe, expect, test } from '@jest/globals';
import { ticksInMonth } from '../../src/scheduler/cron-ticks.js';

// Ticks of SYNC_CRON in a 30-day month, as the worker's scheduler (node-cron) fires them.

const from = new Date('2026-03-01T00:00:00Z');

describe('ticks of the schedule in a month', () => {
  test('when SYNC_CRON is every 15 minutes, then a month has 2,880 ticks', async () => {
    expect(await ticksInMonth('*/15 * * * *', 'UTC', from)).toBe(2_880);
  });

  test('when SYNC_CRON runs on weekdays only, then the weekends are not counted', async () => {
    // 1-30 March 2026 (the 1st a Sunday): 21 weekdays, 24 ticks each (8:00 to 19:30, every half hour).
    expect(await ticksInMonth('*/30 8-19 * * 1-5', 'UTC', from)).toBe(21 * 24);
  });

  test('when SYNC_TIMEZONE has a daylight-saving change in the month, then the hour that does not exist is not counted', async () => {
    // Europe/Berlin skips 02:00-03:00 on 29 March 2026.
    expect(await ticksInMonth('30 2 * * *', 'Europe/Berlin', from)).toBe(29);
  });

  test('when SYNC_CRON has a seconds field, then each matching minute counts its seconds', async () => {
    expect(await ticksInMonth('0,30 0 0 * * *', 'UTC', from)).toBe(30 * 2);
  });
});
