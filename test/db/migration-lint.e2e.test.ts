import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';

/**
 * `npm run lint` runs squawk over prisma/migrations/*: a new migration that would lock
 * out readers, break an older replica or nest transactions fails the lint. Run here
 * exactly as package.json says, in a copy of the layout holding one more migration.
 */

const script = async () =>
  (JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[
    'lint:migrations'
  ]!;

async function lint(cwd: string): Promise<{ status: number | null; output: string }> {
  const result = spawnSync('sh', ['-c', await script()], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(PROJECT_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env['PATH']}` },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the migration lint', () => {
  let root: string;
  /** Adds a migration after the build's own, as a developer would with `npm run migrate:create`. */
  const addMigration = async (name: string, sql: string) => {
    await mkdir(path.join(root, 'prisma', 'migrations', name));
    await writeFile(path.join(root, 'prisma', 'migrations', name, 'migration.sql'), sql);
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'migration-lint-'));
    await cp(path.join(PROJECT_ROOT, 'prisma', 'migrations'), path.join(root, 'prisma', 'migrations'), { recursive: true });
    await cp(path.join(PROJECT_ROOT, '.squawk.toml'), path.join(root, '.squawk.toml'));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  test('when the repository is linted, then its migrations pass', async () => {
    const { status, output } = await lint(PROJECT_ROOT);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('Found 0 issues') });
  });

  test('when a new migration locks out writers, drops a column an older replica reads or ends the runner transaction, then the lint fails naming each', async () => {
    await addMigration(
      '20261210000000_careless',
      [
        'CREATE INDEX "detractor_tickets_comment_idx" ON "detractor_tickets" ("comment");',
        'ALTER TABLE "detractor_tickets" DROP COLUMN "phone_number";',
        'COMMIT;',
        '',
      ].join('\n'),
    );

    const { status, output } = await lint(root);

    expect(status).not.toBe(0);
    expect(output).toContain('20261210000000_careless/migration.sql');
    for (const rule of ['require-concurrent-index-creation', 'ban-drop-column', 'transaction-nesting']) {
      expect(output).toContain(rule);
    }
  });

  test('when a new migration only expands (a nullable column, a new table), then the lint passes: the runner sets the timeouts', async () => {
    await addMigration(
      '20261211000000_careful',
      [
        'ALTER TABLE "detractor_tickets" ADD COLUMN "note" TEXT;',
        'CREATE TABLE "ticket_notes" ("id" BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "ticket_id" BIGINT NOT NULL, "count" INTEGER NOT NULL DEFAULT 0);',
        '',
      ].join('\n'),
    );

    const { status, output } = await lint(root);

    expect({ status, output }).toEqual({ status: 0, output: expect.stringMatching(/Found 0 issues in \d+ files?/) });
  });
});
