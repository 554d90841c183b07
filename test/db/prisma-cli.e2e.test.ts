import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import { migrate } from '../../src/db/migrate.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { createEmptyDatabase } from '../support/database.js';
import { prisma, prismaCliUnavailable } from '../support/prisma-cli.js';

const unavailable = prismaCliUnavailable();
if (unavailable) {
  // Visible in the test output, so a skipped check is never mistaken for a passed one.
  console.warn(`Prisma CLI checks skipped: ${unavailable}`);
}
const describeCli = unavailable ? describe.skip : describe;

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), await readFile(full, 'utf8'));
  }
  return out;
}

describeCli('the Prisma CLI and the worker agree', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createEmptyDatabase('cli');
  });
  afterAll(async () => database.drop());

  test('when the client is generated again from the schema, then it equals the committed one', async () => {
    // Generated in a copy of prisma/, at the same relative output path (it is part of the client).
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'prisma-generate-'));
    try {
      await cp(path.join(PROJECT_ROOT, 'prisma'), path.join(scratch, 'prisma'), { recursive: true });
      const result = await prisma(['generate', '--schema', 'prisma/schema.prisma'], { cwd: scratch });
      expect(result.stderr + result.stdout).toMatch(/Generated Prisma Client/);
      const fresh = await filesUnder(path.join(scratch, 'src', 'generated', 'prisma'));
      const committed = await filesUnder(path.join(PROJECT_ROOT, 'src', 'generated', 'prisma'));
      expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
      const stale = [...fresh].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
      expect(stale).toEqual([]); // if this fails: run `npx prisma generate` and commit src/generated
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('when the worker has migrated a database, then `prisma migrate status` finds it up to date', async () => {
    await migrate(database.url, pino({ level: 'silent' }));
    const result = await prisma(['migrate', 'status'], { databaseUrl: database.url });
    expect(result.stdout).toMatch(/Database schema is up to date!/);
    expect(result.code).toBe(0);
  });

  test('when the schema is compared with the migrations, then they describe the same database', async () => {
    const result = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      {
        databaseUrl: database.url,
      },
    );
    // --exit-code: 0 = no difference, 2 = the schema has changes no migration holds.
    expect(result.stdout + result.stderr).toMatch(/No difference detected|^$/m);
    expect(result.code).toBe(0);
  });
});
