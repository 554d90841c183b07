#!/usr/bin/env node
// `npm run generated:check`: fails when the committed Prisma client (src/generated)
// differs from what `prisma generate` makes of prisma/schema.prisma. The client is
// generated into a scratch copy, never over the work tree, so a developer who runs
// this is not left with changed files. Needs a schema engine, like every Prisma
// command (PRISMA_SCHEMA_ENGINE_BINARY where the native one cannot be downloaded).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = path.join('src', 'generated');
const FIX = 'src/generated differs from prisma generate: run npm run prisma:generate and commit';
/** Files named in the report: enough to see what changed, not the whole client. */
const LISTED = 10;

/** Every file under dir, by its path relative to dir. */
function filesUnder(dir) {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const full = path.join(entry.parentPath, entry.name);
        return [path.relative(dir, full), readFileSync(full)];
      }),
  );
}

/** Generates the client into a scratch copy and compares; returns the exit code. */
function check(scratch) {
  // The schema's generator output is relative to the schema file: a copy of prisma/
  // generates into <scratch>/src/generated. The project's own config is used as is.
  cpSync(path.join(root, 'prisma'), path.join(scratch, 'prisma'), { recursive: true });
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'prisma', 'build', 'index.js'),
        'generate',
        '--config',
        path.join(root, 'prisma.config.ts'),
        '--schema',
        path.join(scratch, 'prisma', 'schema.prisma'),
      ],
      {
        cwd: root,
        env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    process.stderr.write(String(error.stdout ?? '') + String(error.stderr ?? ''));
    console.error(
      'generated:check: prisma generate failed (above); without the native schema engine set PRISMA_SCHEMA_ENGINE_BINARY',
    );
    return 1;
  }

  const fresh = filesUnder(path.join(scratch, GENERATED));
  const committed = filesUnder(path.join(root, GENERATED));
  if (fresh.size === 0) {
    console.error(`generated:check: prisma generate wrote nothing under ${GENERATED}: has the generator's output moved?`);
    return 1;
  }
  const shown = (file) => path.join(GENERATED, file);
  const differences = [
    ...[...fresh.keys()].filter((f) => !committed.has(f)).map((f) => `missing from the work tree: ${shown(f)}`),
    ...[...committed.keys()].filter((f) => !fresh.has(f)).map((f) => `not generated any more: ${shown(f)}`),
    ...[...fresh]
      .filter(([f, bytes]) => committed.has(f) && !bytes.equals(committed.get(f)))
      .map(([f]) => `differs: ${shown(f)}`),
  ];
  if (differences.length > 0) {
    console.error(`generated:check: ${FIX}`);
    for (const line of differences.slice(0, LISTED)) console.error(`  ${line}`);
    if (differences.length > LISTED) console.error(`  and ${differences.length - LISTED} more`);
    return 1;
  }
  console.log(`generated:check: ${GENERATED} is what prisma generate makes of the schema (${fresh.size} files)`);
  return 0;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'generated-check-'));
try {
  process.exitCode = check(scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
