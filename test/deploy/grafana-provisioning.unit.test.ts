import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { PII_FREE_RELATIONS } from '../../src/db/relation-privacy.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import {
  DASHBOARD_DIR,
  GRAFANA_DIR,
  PERSONAL_COLUMNS,
  panelsOf,
  promqlMetricNames,
  queriesOf,
  readDashboards,
} from '../support/grafana-dashboards.js';

// Grafana and Prometheus do not run in CI (no Docker engine), so their files are checked
// against each other and the repository: every uid, path, job and mount they name must
// exist. Queries are checked against a real database and worker in dashboard-queries.e2e.test.ts,
// and by promtool in grafana-provisioning.e2e.test.ts.

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  user?: string;
  jsonData?: { database?: string; sslmode?: string };
  secureJsonData?: { password?: string };
}
interface ComposeService {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}
interface PrometheusConfig {
  rule_files?: string[];
  scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs?: Array<{ targets: string[] }> }>;
}

const datasources = (parseYaml(read('deploy/grafana/provisioning/datasources/datasources.yml')) as { datasources: Datasource[] })
  .datasources;
const providers = (
  parseYaml(read('deploy/grafana/provisioning/dashboards/dashboards.yml')) as {
    providers: Array<{ name: string; type: string; options: { path: string } }>;
  }
).providers;
const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const prometheusConfig = parseYaml(read('deploy/prometheus/prometheus.yml')) as PrometheusConfig;
const dashboards = readDashboards();
const allQueries = [...dashboards.values()].flatMap(queriesOf);
const sqlQueries = allQueries.filter((q) => q.target.rawSql !== undefined);
const promQueries = allQueries.filter((q) => q.target.expr !== undefined);

/** Bind mounts as { source (repository path), target, readOnly }; named volumes left out. */
function bindMounts(service: ComposeService): Array<{ source: string; target: string; readOnly: boolean }> {
  return (service.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([source]) => source?.startsWith('./') === true)
    .map(([source = '', target = '', mode = '']) => ({ source: path.posix.normalize(source), target, readOnly: mode.split(',').includes('ro') }));
}

/** The repository path a container path comes from, through the service's bind mounts. */
function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  const mount = bindMounts(service).find((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`));
  return mount && path.posix.join(mount.source, path.posix.relative(mount.target, containerPath));
}

describe('Grafana provisioning', () => {
  test('when the data sources are provisioned, then Prometheus is the compose service and PostgreSQL is read through the read-only role', () => {
    const prometheus = datasources.find((d) => d.type === 'prometheus');
    const postgres = datasources.find((d) => d.type === 'grafana-postgresql-datasource');
    expect(new Set(datasources.map((d) => d.uid)).size).toBe(datasources.length);
    expect(prometheus?.url).toBe('http://prometheus:9090');
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['prometheus', 'postgres']));
    expect(postgres).toMatchObject({ url: 'postgres:5432', user: 'detractor_reader', jsonData: { database: 'detractor_sync' } });
    // The role `readonly-role` creates by default, in the database compose initialises.
    expect(read('src/cli/readonly-role-command.ts')).toContain(`default: '${postgres?.user}'`);
    expect(compose.services.postgres?.environment?.['POSTGRES_DB']).toBe(postgres?.jsonData?.database);
  });

  test('when the PostgreSQL data source needs a password, then it comes from a variable compose gives Grafana', () => {
    const postgres = datasources.find((d) => d.type === 'grafana-postgresql-datasource');
    const variable = /^\$\{([A-Z_][A-Z0-9_]*)\}$/.exec(postgres?.secureJsonData?.password ?? '')?.[1];
    expect(variable).toBeDefined();
    expect(Object.keys(compose.services.grafana?.environment ?? {})).toContain(variable);
    expect(read('deploy/grafana/provisioning/datasources/datasources.yml')).not.toMatch(/password:\s*['"]?[^$\s'"]/i);
  });

  test('when the dashboards are provisioned, then the provider reads the folder compose mounts from deploy/grafana/dashboards', () => {
    const grafana = compose.services.grafana ?? {};
    expect(providers.map((p) => p.type)).toEqual(['file']);
    expect(hostPathOf(grafana, providers[0]?.options.path ?? '')).toBe('deploy/grafana/dashboards');
    expect(hostPathOf(grafana, '/etc/grafana/provisioning/datasources/datasources.yml')).toBe(
      'deploy/grafana/provisioning/datasources/datasources.yml',
    );
    expect([...dashboards.keys()].sort()).toEqual(['detractor-sync-worker.json', 'detractor-views.json']);
  });

  test('when the dashboards are read, then their uids are stable and every query uses the data source variable, which opens on a provisioned one', () => {
    expect([...dashboards.values()].map((d) => d.uid).sort()).toEqual(['detractor-sync-worker', 'detractor-views']);
    const byUid = new Map(datasources.map((d) => [d.uid, d.type]));
    let refs = 0;
    for (const d of dashboards.values()) {
      // One data source variable per dashboard: what Grafana's Import asks for, and what provisioning opens with.
      const sources = d.templating.list.filter((v) => v.type === 'datasource');
      expect(sources.map((v) => v.name)).toEqual(['datasource']);
      const [source] = sources;
      expect({ dashboard: d.uid, type: byUid.get(source?.current?.value ?? '') }).toEqual({ dashboard: d.uid, type: source?.query });
      const used = [
        ...panelsOf(d).flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
        ...d.templating.list.filter((v) => v.type !== 'datasource').map((v) => v.datasource),
      ];
      refs += used.length;
      // No uid of this installation: importing into another Grafana needs none of them to exist.
      for (const ref of used) expect({ dashboard: d.uid, ref }).toEqual({ dashboard: d.uid, ref: { type: source?.query, uid: '${datasource}' } });
    }
    expect(refs).toBeGreaterThan(40);
  });

  test('when a dashboard is exported as a file, then it names no data source uid of its own outside the variable', () => {
    for (const file of readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(path.join(DASHBOARD_DIR, file), 'utf8');
      const uids = [...text.matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]);
      // The dashboard's own uid, the built-in annotation source and the variable's reference.
      expect({ file, uids: [...new Set(uids)].filter((u) => !['${datasource}', '-- Grafana --'].includes(u ?? '')).sort() }).toEqual({
        file,
        uids: [file.replace(/\.json$/, '')],
      });
    }
  });

  test('when the segment variable is read, then it offers names and filters on IDs', () => {
    const segment = dashboards.get('detractor-views.json')?.templating.list.find((v) => v.name === 'segment');
    expect(segment?.query).toMatch(/\bAS __text\b/);
    expect(segment?.query).toMatch(/\bsegment_id AS __value\b/);
  });

  test('when the weekly SLA panel groups weeks, then it does so in the report time zone, not in UTC', () => {
    const weekly = sqlQueries.find((q) => q.panel.title === 'SLA states per week of creation');
    expect(weekly?.target.rawSql).toMatch(/reporting_settings/);
    expect(weekly?.target.rawSql).not.toMatch(/'UTC'\)? AS time|AT TIME ZONE 'UTC'/);
  });

  test.each([...dashboards])('when %s is laid out, then it is a Grafana 11 dashboard whose panels have unique ids and do not overlap', (_, d) => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Map<string, string>();
    const problems: string[] = [];
    for (const { title, gridPos: g } of d.panels) {
      if (!(g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24)) problems.push(`${title}: outside the 24 columns`);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const taken = cells.get(`${x},${y}`);
          if (taken !== undefined) problems.push(`${title} overlaps ${taken} at ${x},${y}`);
          cells.set(`${x},${y}`, title);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(panelsOf(d).every((p) => (p.targets ?? []).length > 0)).toBe(true);
  });

  test('when a panel queries PostgreSQL, then it reads only the PII-free views (and the report time zone) and never personal data', () => {
    // What a role made with --no-pii may read: the dashboards work for it. reporting_settings
    // holds one setting, the report time zone the weekly panel groups in.
    const views = PII_FREE_RELATIONS.filter((r) => r.startsWith('v_') || r === 'reporting_settings') as string[];
    expect(sqlQueries.length).toBeGreaterThanOrEqual(12);
    const variableSql = [...dashboards.values()].flatMap((d) => d.templating.list.map((v) => v.query ?? ''));
    for (const sql of [...sqlQueries.map((q) => q.target.rawSql ?? ''), ...variableSql]) {
      const read = [...sql.matchAll(/\b(?:from|join)\s+(?!lateral\b)([a-z_][\w.]*)/gi)].map((m) => m[1]);
      expect({ sql, read: read.filter((r) => !views.includes(r ?? '')) }).toEqual({ sql, read: [] });
      const personal = PERSONAL_COLUMNS.filter((column) => new RegExp(`\\b${column}\\b`, 'i').test(sql));
      expect({ sql, personal, star: /\*\s*(,|from\b)|\.\*/i.test(sql) }).toEqual({ sql, personal: [], star: false });
    }
    // Every view shows somewhere.
    expect(views.filter((v) => !sqlQueries.some((q) => q.target.rawSql?.includes(v)))).toEqual([]);
  });
});

describe('Prometheus and Grafana in docker-compose.yml', () => {
  test.each(['prometheus', 'grafana'])('when %s runs, then it is an opt-in profile on a pinned image, with only existing files mounted read-only', (name) => {
    const service = compose.services[name] ?? {};
    expect(service.profiles).toEqual(['grafana']);
    expect(service.image).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    const mounts = bindMounts(service);
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) {
      expect({ ...mount, exists: existsSync(path.join(PROJECT_ROOT, mount.source)) }).toEqual({ ...mount, readOnly: true, exists: true });
    }
  });

  test('when Prometheus loads its config, then the rule files it names are mounted beside it', () => {
    const prometheus = compose.services.prometheus ?? {};
    const configTarget = bindMounts(prometheus).find((m) => m.source === 'deploy/prometheus/prometheus.yml')?.target ?? '';
    expect(configTarget).toBe('/etc/prometheus/prometheus.yml');
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
    for (const rules of prometheusConfig.rule_files ?? []) {
      expect(hostPathOf(prometheus, path.posix.join(path.posix.dirname(configTarget), rules))).toBe('deploy/prometheus/alerts.yml');
    }
  });

  test('when Grafana starts, then every file in the mounted folders is one of the repository', () => {
    const grafana = compose.services.grafana ?? {};
    const files = (dir: string): string[] =>
      readdirSync(path.join(PROJECT_ROOT, dir)).flatMap((f) => {
        const rel = path.posix.join(dir, f);
        return statSync(path.join(PROJECT_ROOT, rel)).isDirectory() ? files(rel) : [rel];
      });
    const mounted = bindMounts(grafana).flatMap((m) => files(m.source));
    expect(mounted.sort()).toEqual(
      [
        'deploy/grafana/dashboards/detractor-sync-worker.json',
        'deploy/grafana/dashboards/detractor-views.json',
        'deploy/grafana/provisioning/dashboards/dashboards.yml',
        'deploy/grafana/provisioning/datasources/datasources.yml',
      ].sort(),
    );
    expect(existsSync(GRAFANA_DIR) && existsSync(DASHBOARD_DIR)).toBe(true);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const job = prometheusConfig.scrape_configs.find((c) => c.job_name === 'detractor-sync');

  test('when it scrapes, then job "detractor-sync" reads the compose worker on its status port', () => {
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job?.static_configs?.flatMap((s) => s.targets)).toEqual(['worker:8080']);
    expect(compose.services.worker?.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  test('when the alert rules and dashboards select a job, then it is the job prometheus.yml scrapes', () => {
    const texts = [read('deploy/prometheus/alerts.yml'), ...promQueries.map((q) => q.target.expr ?? '')];
    const jobs = texts.flatMap((t) => [...t.matchAll(/\bjob\s*=~?\s*"([^"]*)"/g)].map((m) => m[1]));
    expect(jobs.length).toBeGreaterThan(0);
    expect([...new Set(jobs)]).toEqual([job?.job_name]);
  });
});

describe('PromQL of the worker dashboard', () => {
  test('when metric names are read from an expression, then functions, keywords, labels and numbers are left out', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.95, sum by (le) (increase(a_bucket{job="x"}[6h]))) / on(le) group_left sum(b_total offset 5m) * 1e3 > bool up',
      ),
    ).toEqual(['a_bucket', 'b_total', 'up']);
  });
});
