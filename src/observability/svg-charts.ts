import { html, type Html } from './page-safety.js';

/**
 * Inline SVG charts for the status page: drawn on the server, so the page needs no
 * script, no library and no network (it is read on closed networks). Every chart has
 * a <title> and its figures written next to the bars: a table says the same.
 */

export interface Series {
  readonly name: string;
  /** A CSS class of the page's style sheet (fill colour). */
  readonly className: string;
}

const WIDTH = 640;
const LABEL_WIDTH = 110;
const VALUE_WIDTH = 60;

/** Room for the bars once the labels and the figures have theirs. */
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;

function scale(max: number): (value: number) => number {
  const top = Math.max(1, max);
  return (value) => Math.round((Math.max(0, value) / top) * PLOT_WIDTH * 10) / 10;
}

function legend(series: readonly Series[], y: number): Html {
  return html`${series.map(
    (s, i) =>
      html`<rect x="${LABEL_WIDTH + i * 140}" y="${y}" width="12" height="12" class="${s.className}"></rect>
        <text x="${LABEL_WIDTH + i * 140 + 18}" y="${y + 11}" class="legend">${s.name}</text>`,
  )}`;
}

/** Horizontal bars, one group per row (e.g. open and overdue detractors per segment). */
export function groupedBarChart(options: {
  readonly title: string;
  readonly series: readonly Series[];
  readonly rows: ReadonlyArray<{ readonly label: string; readonly values: readonly number[] }>;
}): Html {
  const bar = 16;
  const gap = 4;
  const group = options.series.length * (bar + gap) + 12;
  const x = scale(Math.max(0, ...options.rows.flatMap((r) => r.values)));
  const height = options.rows.length * group + 36;
  const groups = options.rows.map((row, r) => {
    const top = r * group;
    const bars = options.series.map((s, i) => {
      const y = top + i * (bar + gap);
      const value = row.values[i] ?? 0;
      return html`<rect x="${LABEL_WIDTH}" y="${y}" width="${x(value)}" height="${bar}" class="${s.className}"></rect>
        <text x="${LABEL_WIDTH + x(value) + 6}" y="${y + bar - 3}" class="figure">${value}</text>`;
    });
    const middle = top + (options.series.length * (bar + gap)) / 2 + 2;
    return html`<text x="${LABEL_WIDTH - 8}" y="${middle}" class="label" text-anchor="end">${row.label}</text>${bars}`;
  });
  return chartFrame(options.title, height, html`${groups}${legend(options.series, height - 20)}`);
}

/**
 * The budget period in two bars: the projection at the period's end (at the current
 * pace; in the "over" colour when it passes the budget) and the calls used, with the
 * budget as a mark across both. Without a budget, the two bars only.
 */
export function budgetChart(options: {
  readonly title: string;
  readonly used: number;
  readonly projected: number;
  readonly budget: number | undefined;
}): Html {
  const { used, projected, budget } = options;
  const x = scale(Math.max(used, projected, budget ?? 0) * 1.05);
  const over = budget !== undefined && projected > budget;
  const mark =
    budget === undefined
      ? html`<text x="${LABEL_WIDTH}" y="70" class="legend">no budget (API_CALL_BUDGET unset)</text>`
      : html`<line x1="${LABEL_WIDTH + x(budget)}" x2="${LABEL_WIDTH + x(budget)}" y1="4" y2="52" class="budget-mark"></line>
          <text x="${LABEL_WIDTH + x(budget)}" y="66" class="figure" text-anchor="middle">budget ${budget}</text>`;
  return chartFrame(
    options.title,
    96,
    html`<text x="${LABEL_WIDTH - 8}" y="22" class="label" text-anchor="end">projected</text>
      <rect x="${LABEL_WIDTH}" y="10" width="${x(projected)}" height="16" class="${over ? 'over' : 'projected'}"></rect>
      <text x="${LABEL_WIDTH + x(projected) + 6}" y="23" class="figure">${projected}</text>
      <text x="${LABEL_WIDTH - 8}" y="44" class="label" text-anchor="end">used</text>
      <rect x="${LABEL_WIDTH}" y="32" width="${x(used)}" height="16" class="used"></rect>
      <text x="${LABEL_WIDTH + x(used) + 6}" y="45" class="figure">${used}</text>
      ${mark}`,
  );
}

/** Vertical columns, one per day, with an optional level line (a daily budget). */
export function columnChart(options: {
  readonly title: string;
  readonly rows: ReadonlyArray<{ readonly label: string; readonly value: number }>;
  readonly level?: { readonly value: number; readonly label: string };
}): Html {
  const plotHeight = 140;
  const top = 18;
  const max = Math.max(1, options.level?.value ?? 0, ...options.rows.map((r) => r.value));
  const y = (value: number) => Math.round((Math.max(0, value) / max) * plotHeight * 10) / 10;
  const step = (WIDTH - 20) / Math.max(1, options.rows.length);
  const width = Math.max(4, step - 8);
  const columns = options.rows.map((row, i) => {
    const left = 10 + i * step + (step - width) / 2;
    const over = options.level !== undefined && row.value > options.level.value;
    return html`<rect
        x="${left}"
        y="${top + plotHeight - y(row.value)}"
        width="${width}"
        height="${y(row.value)}"
        class="${over ? 'over' : 'used'}"
      ></rect>
      <text x="${left + width / 2}" y="${top + plotHeight - y(row.value) - 4}" class="figure" text-anchor="middle"
        >${row.value}</text
      >
      <text x="${left + width / 2}" y="${top + plotHeight + 14}" class="label" text-anchor="middle">${row.label}</text>`;
  });
  const level = options.level
    ? html`<line
          x1="10"
          x2="${WIDTH - 10}"
          y1="${top + plotHeight - y(options.level.value)}"
          y2="${top + plotHeight - y(options.level.value)}"
          class="budget-mark"
        ></line>
        <text x="${WIDTH - 10}" y="${top + plotHeight - y(options.level.value) - 4}" class="figure" text-anchor="end"
          >${options.level.label}</text
        >`
    : '';
  const height = top + plotHeight + 24;
  return chartFrame(options.title, height, html`${columns}${level}`);
}

/** The frame every chart shares: its size, and its title for screen readers and as a tooltip. */
function chartFrame(title: string, height: number, body: Html): Html {
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${height}"
    width="${WIDTH}"
    height="${height}"
    role="img"
    aria-label="${title}"
  >
    <title>${title}</title>
    ${body}
  </svg>`;
}
