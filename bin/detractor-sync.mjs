#!/usr/bin/env node
// The CLI as the npm scripts start it: `node bin/detractor-sync.mjs <command> [options]`.
// In a source checkout it compiles first when a source changed since the last build
// (bin/build.mjs), so `npm start` always runs the code as it is; in the container image,
// which ships dist/ and no sources, it runs dist/ as it is. Either way the command then
// runs in this very process (no child): a signal sent to the process npm started
// reaches the worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'src', 'cli', 'main.js');

if (!build()) process.exit(1);
if (!existsSync(entry)) {
  console.error(`detractor-sync: ${entry} is missing: build it with \`npm run build\` (needs the dev dependencies)`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
