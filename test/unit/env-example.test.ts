import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.js';
import { envDescriptions } from '../../src/config/env-schema.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

/** `.env.example` as { NAME: { value, description } }, the description being the comment line above. */
function readEnvExample(): Map<string, { value: string; description: string }> {
  const lines = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8').split('\n');
  const vars = new Map<string, { value: string; description: string }>();
  lines.forEach((line, i) => {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) vars.set(match[1]!, { value: match[2]!, description: (lines[i - 1] ?? '').replace(/^#\s*/, '') });
  });
  return vars;
}

describe('.env.example', () => {
  const example = readEnvExample();

  test('when compared with the configuration schema, then it lists exactly the same variables', () => {
    expect([...example.keys()].sort()).toEqual(Object.keys(envDescriptions).sort());
  });

  test('when a variable is listed, then the comment above it is its description from the schema', () => {
    for (const [name, { description }] of example) {
      expect(`${name}: ${description}`).toBe(`${name}: ${envDescriptions[name as keyof typeof envDescriptions]}`);
    }
  });

  test('when the README configuration table is read, then it documents every variable', () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const missing = Object.keys(envDescriptions).filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });

  test('when its values are used with the two required ones filled in, then they are valid and equal the defaults', () => {
    const env = Object.fromEntries([...example].map(([name, { value }]) => [name, value]));
    const fromExample = loadConfig({ ...env, QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '1' });
    expect(fromExample).toEqual(loadConfig({ QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '1' }));
  });
});
