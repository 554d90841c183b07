import { callAnswers } from '../budget/budget-status.js';
import type { Db } from '../db/prisma.js';
import { oneLineMessage } from '../errors.js';
import { html, publicMessage, trusted, type Html } from './page-safety.js';
import { STATUS_PAGE_STYLE } from './status-page-style.js';
import { CALL_DAYS, listsSummary, readStatusReport, type StatusOptions, type StatusReport } from './status-report.js';
import { budgetChart, columnChart, groupedBarChart } from './svg-charts.js';

/**
 * The worker's page at /: the status report (the one `npm run status` prints) for
 * people, as server-rendered HTML with inline CSS and SVG: no script, no font, no
 * request to anywhere else, so it works on closed networks and without JavaScript.
 * Like /metrics it has no login: counts and sync state only, never a ticket's content;
 * every value is escaped and error messages shown without personal data (page-safety.ts).
 */

export interface StatusPage {
  /** 200, or 503 when the database does not answer (the page then says so). */
  readonly status: number;
  readonly html: string;
}

export type StatusPageInput =
  { readonly report: StatusReport; readonly now: Date } | { readonly databaseError: string; readonly now: Date };

/** Runs shown on the page. */
export const PAGE_RUNS = 10;
const REFRESH_SECONDS = 30;
const MESSAGE_CHARS = 160;
/** Five queries may take longer than /readyz's one (3 s), but a page waiting longer than this helps nobody. */
const READ_TIMEOUT_MS = 5_000;

const SEGMENT_SERIES = [
  { name: 'open', className: 'open' },
  { name: 'overdue (past due)', className: 'overdue' },
] as const;

function when(date: Date | null): string {
  return date
    ? date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : 'never';
}

/** 42 s, 7 min, 3 h 10 min, 4 d 2 h: an age read at a glance. */
export function ageText(seconds: number | null): string {
  if (seconds === null) return 'never';
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.round((s % 86_400) / 3600)} h`;
}

/** An error message as the page may show it (page-safety.ts), cut when long: the whole one shows on hover. */
function shortened(message: string | null): string {
  if (message === null) return '';
  const text = publicMessage(message);
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}

function outcome(value: string): Html {
  const tone = value === 'succeeded' ? 'ok' : value === 'failed' || value === 'aborted' ? 'bad' : 'warn';
  return html`<span class="badge ${tone}">${value}</span>`;
}

/**
 * A name with its code, as "Retail EU (101)" or "open (0)": the name first, for people,
 * the code that the configuration and the API use in brackets. A default name
 * ("Segment 975", "status 3") already holds its code and stands alone.
 */
export function named(name: string, code: string | number): Html {
  if (name.endsWith(` ${code}`)) return html`${name}`;
  return html`${name} <span class="id">(${String(code)})</span>`;
}

/** A table in a box of its own that scrolls sideways on a narrow screen, so the page itself never does. */
function table(id: string, head: readonly string[], rows: readonly Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty" id="${id}">${empty}</p>`;
  return html`<div class="table-box">
    <table id="${id}">
      <thead>
        <tr>
          ${head.map((h) => html`<th>${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

function summary(report: StatusReport): Html {
  const lists = listsSummary(report.lists);
  const open = report.openTickets.reduce((n, s) => n + s.open, 0);
  const overdue = report.openTickets.reduce((n, s) => n + s.overdue, 0);
  const b = report.apiBudget;
  const last = report.runs[0];
  const card = (label: string, value: Html | string, tone = '') =>
    html`<div class="card ${tone}">
      <div class="card-label">${label}</div>
      <div class="card-value">${value}</div>
    </div>`;
  return html`<section class="cards" id="summary">
    ${card('Lists', lists.text, lists.failing > 0 ? 'bad' : lists.skipped > 0 ? 'warn' : 'ok')}
    ${card('Open detractors', `${open} (${overdue} overdue)`, overdue > 0 ? 'warn' : '')}
    ${card(
      `API calls this ${b?.period ?? 'period'} (this API key)`,
      b === undefined ? 'none yet' : b.budget === undefined ? `${b.used} (no budget)` : `${b.used} of ${b.budget}`,
      b?.budget !== undefined && b.projectedAtPeriodEnd > b.budget ? 'warn' : '',
    )}
    ${card('Last run', last ? html`${outcome(last.status)} ${when(last.started_at)}` : 'none yet')}
  </section>`;
}

function openTickets(report: StatusReport): Html {
  const rows = report.openTickets.map(
    (s) =>
      html`<tr>
        <td>${named(s.segment_name, s.segment_id)}</td>
        <td class="num">${s.open}</td>
        <td class="num">${s.overdue}</td>
      </tr>`,
  );
  const chart = report.openTickets.length
    ? groupedBarChart({
        title: 'Open and overdue detractors per segment',
        series: SEGMENT_SERIES,
        rows: report.openTickets.map((s) => ({ label: s.segment_name, values: [s.open, s.overdue] })),
      })
    : '';
  return html`<section id="tickets">
    <h2>Open detractors per segment</h2>
    ${chart} ${table('open-tickets', ['segment', 'open', 'overdue'], rows, 'No segment synced yet.')}
  </section>`;
}

function syncHealth(report: StatusReport): Html {
  const rows = report.lists.map(
    (l) =>
      html`<tr>
        <td>${named(l.segment_name, l.segment_id)}</td>
        <td>${named(l.status_label, l.status)}</td>
        <td>${when(l.last_success_at)}</td>
        <td class="num">${ageText(l.age_s)}</td>
        <td>${outcome(l.last_outcome)}</td>
        <td class="num">${l.tickets}</td>
        <td>${l.last_error_code ?? ''}</td>
        <td class="message" title="${publicMessage(l.last_error ?? '')}">${shortened(l.last_error)}</td>
        <td class="id">${l.error_request_id ?? ''}</td>
      </tr>`,
  );
  const head = ['segment', 'status', 'last success', 'age', 'last outcome', 'tickets', 'last error', 'message', 'request ID'];
  return html`<section id="health">
    <h2>Sync health (segment × status)</h2>
    <p class="note" id="lists-summary">Lists: ${listsSummary(report.lists).text}.</p>
    ${table('sync-health', head, rows, 'No list synced yet.')}
  </section>`;
}

function recentRuns(report: StatusReport): Html {
  const rows = report.runs.map(
    (r) =>
      html`<tr>
        <td class="num">${r.id}</td>
        <td>${r.trigger}</td>
        <td>${outcome(r.status)}</td>
        <td>${when(r.started_at)}</td>
        <td class="num">${r.seconds} s</td>
        <td class="num">${r.lists}</td>
        <td class="num">${r.failed}</td>
        <td class="num">${r.calls}</td>
        <td class="num">${r.inserted}</td>
        <td class="num">${r.updated}</td>
        <td>${r.error_code ?? ''}</td>
      </tr>`,
  );
  const head = [
    'run',
    'trigger',
    'status',
    'started',
    'duration',
    'lists',
    'failed',
    'API calls',
    'inserted',
    'updated',
    'error',
  ];
  return html`<section id="runs">
    <h2>Recent runs</h2>
    ${table('recent-runs', head, rows, 'No run yet.')}
  </section>`;
}

/** What the calls sent got: "ok 45, http_429 2, no answer recorded 4". */
function answersText(byOutcome: Readonly<Record<string, number>>): string {
  const { answers, unrecorded } = callAnswers(byOutcome);
  const parts = Object.entries(answers).map(([outcome, calls]) => `${outcome} ${calls}`);
  if (unrecorded > 0) parts.push(`no answer recorded ${unrecorded}`);
  return parts.join(', ') || 'none recorded yet';
}

function apiBudget(report: StatusReport): Html {
  const b = report.apiBudget;
  if (!b)
    return html`<section id="budget">
      <h2>API calls</h2>
      <p class="empty">No API call recorded yet.</p>
    </section>`;
  const over = b.budget !== undefined && b.projectedAtPeriodEnd > b.budget;
  const figure = (label: string, value: string | number, id: string) =>
    html`<dt>${label}</dt>
      <dd id="${id}">${value}</dd>`;
  const perDay = columnChart({
    title: `API calls sent per day, the last ${CALL_DAYS} days in ${b.timezone}`,
    rows: b.callsPerDay.map((d) => ({ label: d.day.slice(5), value: d.calls })),
    level: b.budget !== undefined && b.period === 'day' ? { value: b.budget, label: `daily budget ${b.budget}` } : undefined,
  });
  const sent = callAnswers(b.byOutcome).sent;
  return html`<section id="budget">
    <h2>API calls and budget</h2>
    <p class="note" id="budget-scope">
      API calls of this API key, all processes: the budget counts every call made with the key by any worker or sync sharing this
      database.
    </p>
    <dl class="figures">
      ${figure('period', `${b.period}: ${when(b.periodStart)} to ${when(b.periodEnd)}`, 'budget-period')}
      ${figure('budget', b.budget ?? 'no budget (API_CALL_BUDGET unset)', 'budget-calls')}
      ${figure('used (calls sent)', b.used, 'budget-used')} ${figure('remaining', b.remaining ?? '-', 'budget-remaining')}
      ${figure(`answers to the ${sent} ${sent === 1 ? 'call' : 'calls'} sent`, answersText(b.byOutcome), 'budget-answers')}
      ${figure('pace', `${b.pacePerHour} calls/h`, 'budget-pace')}
      ${figure('projected at period end', `${b.projectedAtPeriodEnd}${over ? ' (over the budget: runs will be deferred)' : ''}`, 'budget-projected')}
    </dl>
    ${budgetChart({ title: 'API calls this period: used, projected and budget', used: b.used, projected: b.projectedAtPeriodEnd, budget: b.budget })}
    <h3 id="calls-per-day">API calls sent per day (the last ${CALL_DAYS} days in ${b.timezone})</h3>
    ${perDay}
  </section>`;
}

function page(now: Date, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="${REFRESH_SECONDS}" />
        <title>detractor-sync status</title>
        <style>
          ${trusted(STATUS_PAGE_STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>detractor-sync</h1>
          <p>
            Status at ${when(now)}, refreshed every ${REFRESH_SECONDS} s. Also: <a href="/readyz">/readyz</a>,
            <a href="/metrics">/metrics</a>, <code>npm run status</code> (the same report).
          </p>
        </header>
        <main>${body}</main>
        <footer>Counts and sync state only: ticket contents stay in the database.</footer>
      </body>
    </html> `.text;
}

export function renderStatusPage(input: StatusPageInput): string {
  if ('databaseError' in input) {
    return page(
      input.now,
      html`<section class="down" id="database-down">
        <h2>Database unavailable</h2>
        <p>The worker runs, but its database does not answer, so there is no sync state to show:</p>
        <p class="message">${input.databaseError}</p>
        <p>This page shows it again once the database answers (<a href="/readyz">/readyz</a> says the same).</p>
      </section>`,
    );
  }
  const { report } = input;
  return page(
    input.now,
    html`${summary(report)}
      <div class="columns">${openTickets(report)}${apiBudget(report)}</div>
      ${syncHealth(report)}${recentRuns(report)}`,
  );
}

async function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the status report and renders it; a database that fails or hangs gives a 503 page saying so. */
export async function statusPage(db: Db, options: StatusOptions): Promise<StatusPage> {
  try {
    const report = await withinTimeout(readStatusReport(db, options), READ_TIMEOUT_MS);
    return { status: 200, html: renderStatusPage({ report, now: new Date() }) };
  } catch (error) {
    return { status: 503, html: renderStatusPage({ databaseError: oneLineMessage(error), now: new Date() }) };
  }
}
