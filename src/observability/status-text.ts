import { callAnswers } from '../budget/budget-status.js';
import { renderRows } from '../docs/result-table.js';
import { CALL_DAYS, listsSummary, type StatusReport } from './status-report.js';

/**
 * A value as a terminal may show it: control characters (ESC, BEL, CR, ... and the C1
 * set) written as escapes, so an error message quoting a hostile server can neither
 * clear the screen, set the title, nor overwrite lines.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function safeRows(rows: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? terminalSafe(v) : v])),
  );
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The status report as `npm run status` prints it in a terminal (the worker's page shows the same as HTML). */
export function renderStatusText(report: StatusReport, runs: number, notes: { readonly apiBudget?: string } = {}): string {
  const table = (rows: ReadonlyArray<Record<string, unknown>>) => renderRows(safeRows(rows), rows[0] ? Object.keys(rows[0]) : []);
  const parts = [
    `Last ${runs} runs`,
    table(report.runs),
    '',
    `Lists (segment x status): ${listsSummary(report.lists).text}`,
    // A terminal's width: long messages are cut here (--json and the worker's page have them whole).
    table(report.lists.map((l) => ({ ...l, last_error: l.last_error && cut(l.last_error, 80) }))),
    '',
    'Open detractors per segment (overdue: past their due time)',
    table(report.openTickets),
    '',
  ];
  const b = report.apiBudget;
  if (!b) parts.push(notes.apiBudget ?? 'API calls: none recorded yet');
  else {
    const budget = b.budget === undefined ? 'no budget (API_CALL_BUDGET unset)' : `budget ${b.budget}, ${b.remaining} left`;
    const { sent, answers, unrecorded } = callAnswers(b.byOutcome);
    const answered = Object.entries(answers).map(([outcome, n]) => `${outcome} ${n}`);
    if (unrecorded > 0) answered.push(`no answer recorded ${unrecorded}`);
    parts.push(
      `API calls of this API key, all processes sharing the database (key fingerprint ${b.keyFingerprint})`,
      `API calls this ${b.period} (${b.periodStart.toISOString()} to ${b.periodEnd.toISOString()}): ${b.used} used, ${budget}`,
      `  pace ${b.pacePerHour} calls/h, projected at the period's end: ${b.projectedAtPeriodEnd}` +
        (b.budget !== undefined && b.projectedAtPeriodEnd > b.budget ? ' (over the budget: runs will be deferred)' : ''),
      `  answers to the ${sent} ${sent === 1 ? 'call' : 'calls'} sent: ${answered.join(', ') || 'none recorded yet'}`,
      '',
      `API calls sent per day (the last ${CALL_DAYS} days in ${terminalSafe(b.timezone)})`,
      table(b.callsPerDay),
    );
  }
  return parts.join('\n');
}
