import { describe, expect, test } from '@jest/globals';
import { closestName } from '../../src/cli/suggest.js';

const COMMANDS = ['worker', 'sync', 'status', 'demo', 'readonly-role', 'healthcheck', 'docs'];

describe('the name a mistyped one meant', () => {
  test.each([
    ['synk', 'sync'],
    ['sycn', 'sync'], // two letters swapped: one step
    ['stauts', 'status'],
    ['wroker', 'worker'],
    ['STATUS', 'status'],
    ['read', 'readonly-role'], // the only command it begins
    ['health', 'healthcheck'],
  ])('when %s is typed, then %s is suggested', (typed, meant) => {
    expect(closestName(typed, COMMANDS)).toBe(meant);
  });

  test.each(['deploy', 'x', 'de', 'migrate'])('when %s is close to nothing, then nothing is suggested', (typed) => {
    expect(closestName(typed, COMMANDS)).toBeUndefined();
  });

  test('when an option is mistyped, then the option is suggested with its dashes', () => {
    expect(closestName('--segmnt', ['--segment', '--status'])).toBe('--segment');
    expect(closestName('--jsn', ['--json', '--runs'])).toBe('--json');
    expect(closestName('--once', ['--keep-db'])).toBeUndefined();
  });
});
