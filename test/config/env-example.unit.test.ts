import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.js';
import { envDescriptions } from '../../src/config/env-schema.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

type ExampleVars = Map<string, { value: string; description: string }>;

/**
 * The heading of `.env.example`'s trailing section: variables docker compose reads
 * (docker-compose.yml's ${...}), not the service. Everything above it is the service's.
 */
const COMPOSE_SECTION = /^# -+ docker compose \(docker-compose\.yml\) -+$/;

/** `.env.example` as { NAME: { value, description } } per section, the description being the comment line above. */
function readEnvExample(): { service: ExampleVars; compose: ExampleVars; composeHeadings: number } {
  const lines = readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8').split('\n');
  const service: ExampleVars = new Map();
  const compose: ExampleVars = new Map();
  let section = service;
  let composeHeadings = 0;
  lines.forEach((line, i) => {
    if (COMPOSE_SECTION.test(line)) {
      composeHeadings += 1;
      section = compose;
    }
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) section.set(match[1]!, { value: match[2]!, description: (lines[i - 1] ?? '').replace(/^#\s*/, '') });
  });
  return { service, compose, composeHeadings };
}

describe('.env.example', () => {
  const { service: example, compose, composeHeadings } = readEnvExample();

  test('when compared with the configuration schema, then it lists exactly the same variables', () => {
    expect([...example.keys()].sort()).toEqual(Object.keys(envDescriptions).sort());
  });

  test('when a variable is listed, then the comment above it is its description from the schema', () => {
    for (const [name, { description }] of example) {
      expect(`${name}: ${description}`).toBe(`${name}: ${envDescriptions[name as keyof typeof envDescriptions]}`);
    }
  });

  test('when the configuration page is read, then its table documents every variable', () => {
    // docs/configuration.md's table is generated from the schema (test/docs/configuration-table.unit.test.ts).
    const page = readFileSync(path.join(PROJECT_ROOT, 'docs', 'configuration.md'), 'utf8');
    const missing = Object.keys(envDescriptions).filter((name) => !page.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });

  test('when its values are used with the two required ones filled in, then they are valid and equal the defaults', () => {
    const env = Object.fromEntries([...example].map(([name, { value }]) => [name, value]));
    const fromExample = loadConfig({ ...env, QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '1' });
    expect(fromExample).toEqual(loadConfig({ QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '1' }));
  });

  test('when the docker compose section is read, then it is last, once, and holds only compose variables, described and left empty', () => {
    expect(composeHeadings).toBe(1);
    expect(compose.size).toBeGreaterThan(0);
    for (const [name, { value, description }] of compose) {
      // A service variable here would be missed by the schema checks above.
      expect({ name, isServiceVariable: name in envDescriptions }).toEqual({ name, isServiceVariable: false });
      expect({ name, description: description.length > 10 && !/^[A-Z][A-Z0-9_]*=/.test(description) }).toEqual({
        name,
        description: true,
      });
      // Passwords are chosen by whoever deploys; none is committed.
      expect({ name, value }).toEqual({ name, value: '' });
    }
  });
});
