// jest runs in ESM mode (p-retry and the generated Prisma client are ESM) with @swc/jest
// as transform: TypeScript 7 has no JavaScript API, so ts-jest cannot work with it.
//
// Two projects, one per PostgreSQL major: users bring 15 to 18 and the planners differ.
// "pg18" runs every test on the embedded server; "pg15" runs the database-heavy folders
// again on PostgreSQL 15 (test/support/postgres15.mjs), when its binaries are there.
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

const pg18 = {
  ...typescript,
  displayName: { name: 'pg18', color: 'blue' },
  testMatch: ['**/*.test.ts'],
};

// The database tests (*.db.test.ts): they exercise our SQL, whose plans differ by major.
const pg15 = {
  ...typescript,
  displayName: { name: 'pg15', color: 'magenta' },
  testMatch: ['<rootDir>/test/**/*.db.test.ts'],
  // Points DETRACTOR_TEST_ADMIN_URL at the PostgreSQL 15 server.
  setupFiles: ['<rootDir>/test/support/use-pg15.mjs'],
};

const source15 = postgres15Source();
if (source15.skipped) console.warn(`PostgreSQL 15 tests skipped (${source15.skipped}); to run them: ${ENABLE_PG15_HINT}.`);

/** @type {import('jest').Config} */
export default {
  projects: source15.skipped ? [pg18] : [pg18, pg15],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60_000,
};
