import { describe, expect, test } from '@jest/globals';
import { selectLists } from '../../src/config/list-selection.js';
import { ConfigError } from '../../src/errors.js';

const configured = { segments: [501, 502], statuses: [0, 1] };

function problems(flags: Parameters<typeof selectLists>[1]) {
  try {
    selectLists(configured, flags);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('the lists a sync is asked for (--segment, --status)', () => {
  test('when no flag is given, then every configured list is synced', () => {
    expect(selectLists(configured, {})).toEqual({});
  });

  test('when flags name configured values (repeated or comma-separated), then exactly those are selected', () => {
    expect(selectLists(configured, { segment: ['502', '502,501'], status: ['1'] })).toEqual({
      segments: [502, 501],
      statuses: [1],
    });
  });

  test('when a value is not configured, then the flag, the value and the configured values are named', () => {
    expect(problems({ segment: ['555', '501', '556'], status: ['3'] })).toEqual([
      {
        variable: '--segment',
        message: '555, 556 are not in SYNC_SEGMENTS (501, 502): --segment picks from the configured segment IDs',
      },
      { variable: '--status', message: '3 is not in SYNC_STATUSES (0, 1): --status picks from the configured status codes' },
    ]);
  });

  test('when a value is not a number in range, then it is refused as its variable would be', () => {
    expect(problems({ status: ['-4'] })).toEqual([
      { variable: '--status', message: expect.stringMatching(/expected a comma-separated list of status codes/) as unknown },
    ]);
  });
});
