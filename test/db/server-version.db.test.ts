import pg from 'pg';

// Guards the jest wiring (jest.config.js projects, test/support/use-pg15.mjs): a test
// file of the "db-pg15" project that silently reached PostgreSQL 18 would prove nothing.
describe('test database server', () => {
  test('when a jest project names a PostgreSQL major version, then its tests talk to a server of that version', async () => {
    const expected = process.env['DETRACTOR_TEST_PG_MAJOR'];
    expect(expected).toMatch(/^\d+$/);
    const client = new pg.Client({ connectionString: process.env['DETRACTOR_TEST_ADMIN_URL'] });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      expect(String(Math.floor(Number(rows[0]?.server_version_num) / 10_000))).toBe(expected);
    } finally {
      await client.end();
    }
  });
});
