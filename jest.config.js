// jest runs in ESM mode (p-retry and the generated Prisma client are ESM) with @swc/jest
// as transform: TypeScript 7 has no JavaScript API, so ts-jest cannot work with it.
//
// One project per tier, chosen by the file name (test/<stage>/<name>.<tier>.test.ts):
// - unit: no database, no build, no browser, no child process, no external binary;
// - db: real PostgreSQL (and the in-process simulator). Users bring PostgreSQL 15 to 18
//   and the planners differ, so these run twice: "db" on the embedded PostgreSQL 18,
//   "db-pg15" on PostgreSQL 15 (test/support/postgres15.mjs), when its binaries are there;
// - e2e: the built CLI and worker as child processes, Chromium, promtool; PostgreSQL 18.
// A project's global setup starts only its server, and only when one of its tests runs.
import { ENABLE_PG15_HINT, postgres15Source } from './test/support/postgres15.mjs';

/** Settings every project needs: ESM TypeScript through @swc/jest. */
const typescript = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  // Source imports say `./x.js` (NodeNext); in tests they resolve to the `.ts` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** The embedded PostgreSQL 18 (or TEST_DATABASE_URL): one server for db and e2e, started once. */
const postgres18 = {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
};

const unit = {
  ...typescript,
  displayName: { name: 'unit', color: 'green' },
  testMatch: ['<rootDir>/test/**/*.unit.test.ts'],
};

const db = {
  ...typescript,
  ...postgres18,
  displayName: { name: 'db', color: 'blue' },
  testMatch: ['<rootDir>/test/**/*.db.test.ts'],
};

const dbPg15 = {
  ...typescript,
  displayName: { name: 'db-pg15', color: 'magenta' },
  testMatch: db.testMatch,
  globalSetup: '<rootDir>/test/support/global-setup-pg15.mjs',
  globalTeardown: postgres18.globalTeardown,
  // Points DETRACTOR_TEST_ADMIN_URL at the PostgreSQL 15 server.
  setupFiles: ['<rootDir>/test/support/use-pg15.mjs'],
};

const e2e = {
  ...typescript,
  ...postgres18,
  displayName: { name: 'e2e', color: 'yellow' },
  testMatch: ['<rootDir>/test/**/*.e2e.test.ts'],
};

const source15 = postgres15Source();
// Said once, and only when db-pg15 would have run (not for `--selectProjects unit`).
const selects = process.argv.some((a) => a.startsWith('--selectProjects'));
if (source15.skipped && (!selects || process.argv.some((a) => /(^|=)db-pg15$/.test(a))))
  console.warn(`PostgreSQL 15 tests skipped (${source15.skipped}); to run them: ${ENABLE_PG15_HINT}.`);

/** @type {import('jest').Config} */
export default {
  projects: source15.skipped ? [unit, db, e2e] : [unit, db, dbPg15, e2e],
  testTimeout: 60_000,
};
