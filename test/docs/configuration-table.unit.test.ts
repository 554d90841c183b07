import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.js';
import { envDescriptions, type EnvName } from '../../src/config/env-schema.js';
import { defaultAsWritten, renderConfigurationTable } from '../../src/docs/configuration-table.js';
import { readSection } from '../../src/docs/marked-section.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

const page = readFileSync(path.join(PROJECT_ROOT, 'docs', 'configuration.md'), 'utf8');

describe('the configuration table of docs/configuration.md', () => {
  test('when compared with the environment schema, then it is exactly what the schema generates', () => {
    // If this fails after a change to src/config/env-schema.ts: run `npm run docs` and commit docs/configuration.md.
    expect(readSection(page, 'configuration')).toBe(renderConfigurationTable());
  });

  test('when a default is shown, then setting the variable to it gives the same configuration as leaving it unset', () => {
    const required = { QUESTIONPRO_API_KEY: 'k', SYNC_SEGMENTS: '1' };
    const unset = loadConfig(required);
    for (const name of Object.keys(envDescriptions) as EnvName[]) {
      const shown = defaultAsWritten(name);
      if (shown === '' || shown === '(required)') continue;
      expect({ name, config: loadConfig({ ...required, [name]: shown }) }).toEqual({ name, config: unset });
    }
  });

  test('when a variable has no default, then the table says required or leaves the cell empty', () => {
    expect(defaultAsWritten('QUESTIONPRO_API_KEY')).toBe('(required)');
    expect(defaultAsWritten('SYNC_SEGMENTS')).toBe('(required)');
    expect(defaultAsWritten('API_CALL_BUDGET')).toBe('');
    expect(defaultAsWritten('SYNC_STATUS_INTERVALS')).toBe('');
  });

  test('when a default is a duration, then it is written in its largest whole unit', () => {
    expect(defaultAsWritten('SYNC_VERIFY_INTERVAL')).toBe('1d');
    // Plain numbers stay numbers: "30s" would be refused by a millisecond variable.
    expect(defaultAsWritten('HTTP_TIMEOUT_MS')).toBe('30000');
  });
});
