import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';

/**
 * .squawk.toml spares only the migrations applied before the lint existed. A later one
 * listed there would escape the check; a name that matches no folder spares nothing.
 */
const HISTORY_ENDS = '20261207000000_pii_free_sync_health';

const excludedPaths = (): string[] => {
  const config = readFileSync(path.join(PROJECT_ROOT, '.squawk.toml'), 'utf8');
  const list = /^excluded_paths\s*=\s*\[([\s\S]*?)\]/m.exec(config)?.[1] ?? '';
  return [...list.matchAll(/^\s*"([^"]+)"/gm)].map((m) => m[1]!);
};

describe('the migrations the lint spares', () => {
  test('when .squawk.toml is read, then it spares exactly the migrations up to the last one before the lint, each by its path', () => {
    const history = readdirSync(path.join(PROJECT_ROOT, 'prisma', 'migrations'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name <= HISTORY_ENDS)
      .map((e) => `prisma/migrations/${e.name}/migration.sql`)
      .sort();
    expect(history).toHaveLength(10);
    expect(excludedPaths().sort()).toEqual(history);
  });
});
