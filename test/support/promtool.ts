import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/project-root.js';

// Prometheus' own tool evaluates our alert rules: against series written by hand
// (deploy/prometheus/alerts.test.yml) and against samples a real process exported,
// turned into promtool input series here.

const run = promisify(execFile);

export const ALERT_RULES = path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml');
export const ALERT_TESTS = path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.test.yml');

/** Why promtool cannot run here (Debian: `apt-get install prometheus`), or undefined. */
export function promtoolUnavailable(): string | undefined {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error) return `promtool not found on PATH (${probe.error.message}); on Debian or Ubuntu: apt-get install prometheus`;
  return probe.status === 0 ? undefined : `promtool --version exited ${probe.status}: ${probe.stderr}`;
}

export async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export interface Sample {
  readonly name: string;
  /** Label pairs as exported, values still escaped: `segment_id="951",status="0"`. */
  readonly labels: string;
  readonly value: number;
  readonly type: string;
}

/** The Prometheus text format, sample by sample, each with its family's # TYPE. */
export function parseExposition(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types.set(declared[1]!, declared[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    samples.push({ name, labels: m[2] ?? '', value: Number(m[3]), type: types.get(family) ?? 'untyped' });
  }
  return samples;
}

/** Minutes of history the generated series cover; the rules are evaluated at their end. */
export const WINDOW_MINUTES = 60;

export interface SeriesOptions {
  /** When the samples were read: timestamps in them are moved to the test's clock. */
  readonly scrapedAt: Date;
  /** Labels Prometheus adds to every series of the target, e.g. job and instance. */
  readonly target: Readonly<Record<string, string>>;
  /** Counters: 'rising' from 0 over the window (a process's), or 'held' (a Pushgateway's copy of a finished run). */
  readonly counters: 'rising' | 'held';
}

/**
 * promtool input series in which the state a process exported has lasted the whole
 * window: gauges hold their value, counters rise linearly from 0 to theirs (so
 * increase() sees what they counted), and Unix timestamps keep their distance to the
 * scrape: a timestamp one minute before the scrape is one minute before the evaluation.
 */
export function inputSeries(samples: readonly Sample[], options: SeriesOptions): Array<{ series: string; values: string }> {
  const end = WINDOW_MINUTES * 60;
  const target = Object.entries(options.target).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return samples
    .filter((s) => Number.isFinite(s.value))
    .map((s) => {
      const counter = s.type === 'counter' || s.type === 'histogram' || s.type === 'summary';
      const timestamp = /_timestamp_seconds$|^push_time_seconds$/.test(s.name) && s.value > 0;
      const value = timestamp ? s.value - options.scrapedAt.getTime() / 1000 + end : s.value;
      const values =
        counter && options.counters === 'rising' ? `0+${value / WINDOW_MINUTES}x${WINDOW_MINUTES}` : `${value}x${WINDOW_MINUTES}`;
      return { series: `${s.name}{${[s.labels, ...target].filter(Boolean).join(',')}}`, values };
    });
}

/** An alert as the check below names it: its name and the list it is about, when it is about one. */
export interface ExpectedAlert {
  readonly alertname: string;
  readonly segment_id?: string;
  readonly status?: string;
}

/**
 * Runs `promtool test rules` on alerts.yml with `series`, asserting that exactly the
 * `expected` alerts are firing at the end of the window (none when empty). Returns
 * promtool's verdict: code 0 and SUCCESS, or its report of what fired instead.
 */
export async function checkFiringAlerts(
  series: ReadonlyArray<{ series: string; values: string }>,
  expected: readonly ExpectedAlert[],
): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'detractor-alerts-'));
  try {
    const file = path.join(dir, 'scraped.test.yml');
    const test = {
      rule_files: [ALERT_RULES],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            {
              expr: 'group by (alertname, segment_id, status) (ALERTS{alertstate="firing"})',
              eval_time: `${WINDOW_MINUTES}m`,
              exp_samples: expected.map((a) => ({
                labels: `{${Object.entries(a)
                  .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                  .join(',')}}`,
                value: 1,
              })),
            },
          ],
        },
      ],
    };
    writeFileSync(file, stringify(test));
    return await promtool(['test', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
