import { describe, expect, test } from '@jest/globals';
import { parseBenchMode } from '../../src/bench/options.js';

describe('bench options', () => {
  test('when --aged is given, then two years of history are seeded unless --days says otherwise', () => {
    expect(parseBenchMode(['--aged'])).toEqual({
      kind: 'aged',
      options: { days: 730, ticketsPerList: 200, repeat: 15, processRepeat: 5 },
    });
    expect(parseBenchMode(['--aged', '--days', '30'])).toMatchObject({ kind: 'aged', options: { days: 30 } });
  });

  test('when --aged is mixed with another mode or --days comes alone, then the usage says why', () => {
    expect(() => parseBenchMode(['--aged', '--tickets', '5'])).toThrow(/--tickets does not apply to --aged/);
    expect(() => parseBenchMode(['--aged', '--days', '0'])).toThrow(/--days expects an integer from 1 to 3650/);
    expect(() => parseBenchMode(['--days', '30'])).toThrow(/--days needs --aged/);
  });
});
