#!/usr/bin/env node
// The CLI as the npm scripts start it: `node bin/detractor-sync.mjs <command> [options]`.
// In a source checkout it compiles first (TypeScript 7, a few seconds), so `npm start`
// always runs the code as it is; in the container image, which ships dist/ and no
// sources, it runs dist/ as it is. Either way the command then runs in this very
// process (no child): a signal sent to the process npm started reaches the worker.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript-native', 'bin', 'tsc');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');

if (existsSync(path.join(root, 'tsconfig.build.json')) && existsSync(tsc)) {
  const build = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
} else if (!existsSync(entry)) {
  console.error(`detractor-sync: ${entry} is missing: build it with \`npm run build\` (needs the dev dependencies)`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
