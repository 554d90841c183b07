import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { pgArray } from '../../src/db/pg-array.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('array literals for the page statement', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  test('when strings with quotes, backslashes, braces, commas, NULL and emoji are sent, then PostgreSQL reads them back exactly', async () => {
    const values = [
      'plain',
      '',
      'NULL',
      'a "quoted" word',
      'back\\slash\\',
      '{braces},[commas]',
      '  spaces  ',
      'line\nbreak\ttab',
      '😡 ✓ 対応',
      null,
    ];
    const [row] = await tdb.query<{ values: Array<string | null> }>('SELECT $1::text[] AS values', [pgArray(values)]);
    expect(row?.values).toEqual(values);
  });

  test('when numbers and nulls are sent as bigint and smallint, then they are read back exactly', async () => {
    const ids = [9_007_199_254_740_991, 0, 101_000_000_001, null];
    const [row] = await tdb.query<{ ids: Array<string | null>; ratings: Array<number | null> }>(
      'SELECT $1::bigint[] AS ids, $2::smallint[] AS ratings',
      [pgArray(ids), pgArray([0, 10, null])],
    );
    expect(row?.ids).toEqual(['9007199254740991', '0', '101000000001', null]);
    expect(row?.ratings).toEqual([0, 10, null]);
  });
});
