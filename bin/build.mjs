// Compiles src/ to dist/ with TypeScript 7 (`typescript-native`) when dist/ is older
// than the sources, so commands started from a checkout run the code as it is, without
// paying (or racing) a rebuild when nothing changed. `npm run build` always compiles.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript-native', 'bin', 'tsc');

function files(dir, extension) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** dist/ holds a build of every source, made after the last change to any of them (or to the compiler's settings). */
function upToDate() {
  const sources = files(path.join(root, 'src'), '.ts');
  const settings = ['tsconfig.json', 'tsconfig.build.json'].map((name) => path.join(root, name));
  const newestInput = Math.max(...[...sources, ...settings].map((file) => statSync(file).mtimeMs));
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const source of sources) {
    const output = path.join(root, 'dist', path.relative(root, source)).replace(/\.ts$/, '.js');
    if (!existsSync(output)) return false;
    oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs);
  }
  return oldestOutput >= newestInput;
}

/** True when there is nothing to build with (the image ships dist/ and no sources) or the build succeeded. */
export function build({ always = false } = {}) {
  if (!existsSync(path.join(root, 'tsconfig.build.json')) || !existsSync(tsc)) return existsSync(path.join(root, 'dist'));
  if (!always && upToDate()) return true;
  return spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' }).status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(build({ always: true }) ? 0 : 1);
