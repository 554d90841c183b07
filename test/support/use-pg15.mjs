// setupFiles of the "db-pg15" jest project: its test files talk to the PostgreSQL 15
// server (test/support/database.ts reads DETRACTOR_TEST_ADMIN_URL). Each test file has
// its own copy of process.env, so the change stays inside that file, in band or not.
const url = process.env.DETRACTOR_TEST_ADMIN_URL_PG15;
if (!url) throw new Error('DETRACTOR_TEST_ADMIN_URL_PG15 is not set: the global setup did not start PostgreSQL 15');
process.env.DETRACTOR_TEST_ADMIN_URL = url;
process.env.DETRACTOR_TEST_PG_MAJOR = '15';
