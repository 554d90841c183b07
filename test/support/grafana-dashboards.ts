import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root.js';

// The Grafana dashboards of deploy/grafana/dashboards, and what Grafana does to their
// queries before sending them: the tests run the same text against a real database or
// check it against a real worker's /metrics.

export const GRAFANA_DIR = path.join(PROJECT_ROOT, 'deploy', 'grafana');
export const DASHBOARD_DIR = path.join(GRAFANA_DIR, 'dashboards');

export interface DatasourceRef {
  readonly type?: string;
  readonly uid?: string;
}
export interface Target {
  readonly refId: string;
  readonly datasource?: DatasourceRef;
  /** PromQL (Prometheus data source). */
  readonly expr?: string;
  /** SQL (PostgreSQL data source). */
  readonly rawSql?: string;
  readonly format?: 'table' | 'time_series';
}
export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: DatasourceRef;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly targets?: Target[];
  readonly options?: { xField?: string };
  /** Panels of a collapsed row. */
  readonly panels?: Panel[];
}
export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly datasource?: DatasourceRef;
  readonly query?: string;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  /** A `datasource` variable's pick as saved: what a provisioned dashboard opens with. */
  readonly current?: { readonly text?: string; readonly value?: string };
}
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly time: { from: string; to: string };
  readonly templating: { list: Variable[] };
  readonly panels: Panel[];
}

/** Every dashboard file, by file name. */
export function readDashboards(): Map<string, Dashboard> {
  const files = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'));
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(path.join(DASHBOARD_DIR, f), 'utf8')) as Dashboard]));
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(path.join(DASHBOARD_DIR, file), 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included, rows themselves left out. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

export interface PanelQuery {
  readonly panel: Panel;
  readonly target: Target;
  /** "panel title / refId", for test names and messages. */
  readonly name: string;
}

export function queriesOf(dashboard: Dashboard): PanelQuery[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel, target, name: `${panel.title} / ${target.refId}` })),
  );
}

/** Grafana's relative time `now` or `now-<n><unit>` (the only forms the dashboards use) as a Date. */
export function grafanaTime(expression: string, now = new Date()): Date {
  const match = /^now(?:-(\d+)([smhdw]))?$/.exec(expression);
  if (!match) throw new Error(`unsupported time expression ${expression}: use now or now-<n><s|m|h|d|w>`);
  const seconds = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'] ?? 0;
  return new Date(now.getTime() - Number(match[1] ?? 0) * seconds * 1000);
}

/** RFC 3339 in UTC without fractions, as Grafana writes times into SQL. */
const sqlTime = (d: Date) => `'${d.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;

/**
 * A panel's SQL as Grafana's PostgreSQL data source sends it: `$__timeFilter(col)`
 * becomes `col BETWEEN '<from>' AND '<to>'`, and a multi-value variable (`$name` or
 * `${name}`) the quoted, comma-separated list of its selected values (all of them for
 * "All"). Any other macro or variable is an error, so a new one cannot slip through
 * untested.
 */
export function expandSql(sql: string, range: { from: Date; to: Date }, variables: Record<string, readonly string[]>): string {
  let out = sql.replace(
    /\$__timeFilter\(([^()]+)\)/g,
    (_, column: string) => `${column.trim()} BETWEEN ${sqlTime(range.from)} AND ${sqlTime(range.to)}`,
  );
  for (const [name, values] of Object.entries(variables)) {
    const list = values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    out = out.replace(new RegExp(`\\$\\{${name}\\}|\\$${name}\\b`, 'g'), list);
  }
  const left = /\$\w+|\$\{[^}]*\}|\[\[[^\]]*\]\]/.exec(out);
  if (left) throw new Error(`unexpanded Grafana macro or variable ${left[0]} in:\n${sql}`);
  return out;
}

/** Grafana's interval variables in PromQL replaced by durations Prometheus accepts (their values for a 1-day range, 30 s scrapes). */
export function expandPromql(expr: string): string {
  const out = expr
    .replace(/\$__rate_interval\b/g, '2m')
    .replace(/\$__range\b/g, '1d')
    .replace(/\$__interval\b/g, '30s');
  const left = /\$\w+|\$\{[^}]*\}|\[\[[^\]]*\]\]/.exec(out);
  if (left) throw new Error(`unexpanded Grafana variable ${left[0]} in: ${expr}`);
  return out;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers left once strings, label
 * matchers, ranges and label lists are removed, that are neither functions (followed
 * by a parenthesis), keywords nor parts of numbers.
 */
export function promqlMetricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !/[\d.]$/.test(bare.slice(0, m.index)))
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)))
    .map((m) => m[0])
    .filter((name) => !PROMQL_WORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}

/** Columns that hold personal data (the respondent's contact details, words and raw record): never on a dashboard. */
export const PERSONAL_COLUMNS = ['email_address', 'phone_number', 'comment', 'raw'] as const;
