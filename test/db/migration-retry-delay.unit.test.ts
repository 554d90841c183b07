import { describe, expect, test } from '@jest/globals';
import { retryDelay } from '../../src/db/migration-apply.js';

describe('the pause before a migration kept from its locks is tried again', () => {
  const bounds = { min: 1_000, max: 30_000 };

  test('when retries follow each other, then the pause doubles up to the longest, each between half its ceiling and the ceiling', () => {
    const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
    ceilings.forEach((ceiling, i) => {
      for (let sample = 0; sample < 50; sample++) {
        const delay = retryDelay(i + 1, bounds);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    });
  });

  test('when two replicas retry at once, then their pauses differ (jitter)', () => {
    const pauses = new Set(Array.from({ length: 20 }, () => retryDelay(5, bounds)));
    expect(pauses.size).toBeGreaterThan(1);
  });

  test('when a retry count is huge, then the pause is still the longest, not Infinity', () => {
    expect(retryDelay(10_000, bounds)).toBeLessThanOrEqual(bounds.max);
  });
});
