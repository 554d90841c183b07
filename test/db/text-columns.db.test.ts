import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { TEXT_COLUMN_SOURCES } from '../../src/db/text-column-sources.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('where the text of every column comes from', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  test('when the schema is listed, then every text or JSON column of a table says its source (API text only through its gate)', async () => {
    const columns = await tdb.query<{ name: string }>(
      `SELECT c.table_name || '.' || c.column_name AS name
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
         AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
       ORDER BY 1`,
    );
    expect(columns.map((c) => c.name)).toEqual(Object.keys(TEXT_COLUMN_SOURCES).sort());
  });
});
