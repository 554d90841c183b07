import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/project-root.js';

const run = promisify(execFile);

/**
 * The Prisma CLI needs a schema engine: the native one (downloaded by Prisma into
 * @prisma/engines, impossible offline) or one named by PRISMA_SCHEMA_ENGINE_BINARY.
 * Returns why it is unavailable, or undefined when the CLI can run.
 */
export function prismaCliUnavailable(): string | undefined {
  const configured = process.env['PRISMA_SCHEMA_ENGINE_BINARY'];
  if (configured)
    return existsSync(configured) ? undefined : `PRISMA_SCHEMA_ENGINE_BINARY points at a missing file (${configured})`;
  const enginesDir = path.join(PROJECT_ROOT, 'node_modules', '@prisma', 'engines');
  const native = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
  return native ? undefined : 'no Prisma schema engine: set PRISMA_SCHEMA_ENGINE_BINARY (see docs/development.md, "Migrations")';
}

export async function prisma(
  args: string[],
  options: { cwd?: string; databaseUrl?: string } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const bin = path.join(PROJECT_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: {
        ...process.env,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
      timeout: 120_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}
