import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { stringify as stringifyYaml } from 'yaml';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { expandPromql, queriesOf, readDashboards } from '../support/grafana-dashboards.js';
import { promtool, promtoolUnavailable } from '../support/promtool.js';

// Prometheus' own tool on the files grafana-provisioning.unit.test.ts checks without it:
// the Prometheus config and every PromQL expression of the dashboards.

const promtoolMissing = promtoolUnavailable();
if (promtoolMissing) {
  // Visible in the test output, so a skipped check is never mistaken for a passed one.
  console.warn(`promtool checks of deploy/prometheus/prometheus.yml and the dashboards' PromQL skipped: ${promtoolMissing}`);
}
const testPromtool = promtoolMissing ? test.skip : test;

const promQueries = [...readDashboards().values()].flatMap(queriesOf).filter((q) => q.target.expr !== undefined);

describe('deploy/prometheus/prometheus.yml', () => {
  testPromtool('when promtool checks it, then the config and the rule files it loads are valid', async () => {
    const result = await promtool(['check', 'config', path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'prometheus.yml')]);
    expect(result).toEqual({ code: 0, output: expect.stringMatching(/is valid prometheus config file syntax[\s\S]*SUCCESS: \d+ rules found/) });
  });
});

describe('PromQL of the worker dashboard', () => {
  testPromtool('when promtool parses every dashboard expression as a rule, then it accepts them all', async () => {
    expect(promQueries.length).toBeGreaterThanOrEqual(25);
    const rules = promQueries.map((q, i) => ({ record: `dashboard:query_${i}:${q.target.refId}`, expr: expandPromql(q.target.expr ?? '') }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'detractor-promql-'));
    try {
      const file = path.join(dir, 'dashboard-rules.yml');
      writeFileSync(file, stringifyYaml({ groups: [{ name: 'dashboard', rules }] }));
      const result = await promtool(['check', 'rules', file]);
      expect(result).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
