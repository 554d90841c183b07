import { describeMinutes } from '../budget/schedule-fit.js';
import { renderRows } from '../docs/result-table.js';
import { terminalSafe } from '../observability/status-text.js';
import type { ListProblemKind } from './check-lists.js';
import type { CheckReport, CheckedList, Fit } from './check-report.js';

/**
 * `npm run check` as a person reads it. Every text that came from the API (error names,
 * ids, messages, request IDs) or the configuration passes terminalSafe: a hostile answer
 * cannot move the cursor or rewrite what the terminal shows.
 */

const n = (value: number) => value.toLocaleString('en-US');
const calls = (value: number) => `${n(value)} call${value === 1 ? '' : 's'}`;

function seconds(value: number): string {
  if (value === 0) return 'every run';
  if (value % 86_400 === 0) return `${value / 86_400}d`;
  if (value % 3_600 === 0) return `${value / 3_600}h`;
  if (value >= 3_600) return `${(value / 3_600).toFixed(1)}h`;
  return value % 60 === 0 ? `${value / 60}m` : `${value}s`;
}

const safe = terminalSafe;

function listName(l: CheckedList): string {
  return l.segmentName === undefined ? `Segment ${l.segmentId}` : `${safe(l.segmentName)} (${l.segmentId})`;
}

const PROBLEMS: Record<ListProblemKind, { readonly note: string; readonly hint: string }> = {
  'unknown-segment': {
    note: 'unknown segment',
    hint: 'not a segment of this account: correct it or remove it from SYNC_SEGMENTS',
  },
  forbidden: {
    note: 'forbidden',
    hint: 'the key may not read this segment: give its user access, or remove it from SYNC_SEGMENTS',
  },
  failed: { note: 'failed', hint: 'no answer after the retries' },
  'not-checked': { note: 'not checked', hint: 'the check stopped first' },
};

function fitText(fit: Fit): string {
  return fit.fits ? `fits, ${n(fit.spare)} to spare` : `over by ${n(-fit.spare)}`;
}

/** Why the check stopped early, for stderr; undefined when it did not. */
export function checkStopText(report: CheckReport): string | undefined {
  const stop = report.stop;
  if (!stop) return undefined;
  const spent = `The check spent ${calls(report.calls)}.`;
  if (stop.kind === 'key') {
    return (
      `QuestionPro refused the key at ${safe(report.api.host)} (${safe(stop.message)}).\n` +
      `The key or the datacenter is wrong: check QUESTIONPRO_API_KEY (QuestionPro: Integration > Developer API), ` +
      `and that ${report.api.addressFrom} (${safe(report.api.host)}) is the account's datacenter: ` +
      `QUESTIONPRO_ENV is one of com, eu, ca, sg, au, ae; QUESTIONPRO_BASE_URL reaches the others ` +
      `(https://api.surveyanalytics.com/a/api/v2, https://api.questionprosa.com/a/api/v2). ${spent}`
    );
  }
  if (stop.kind === 'unreachable') {
    return `Could not reach QuestionPro at ${safe(report.api.host)} (${report.api.addressFrom}): ${safe(stop.message)}. ${spent}`;
  }
  return `The check stopped: ${safe(stop.message)}. ${spent}`;
}

function costLines(report: CheckReport): string[] {
  const { cost, schedule } = report;
  if (!cost) return ['No list answered: there is nothing to cost yet.'];
  const intervals = Object.entries(schedule.statusIntervalSeconds);
  const probeNote =
    intervals.length === 0
      ? 'one call per list per tick'
      : `one call per list per read (status ${intervals.map(([s, v]) => `${s} every ${seconds(v)}`).join(', ')}, SYNC_STATUS_INTERVALS)`;
  const stretched = cost.verifyEverySeconds > schedule.verifyIntervalSeconds;
  const verifyNote = stretched
    ? `every ${seconds(Math.round(cost.verifyEverySeconds))}: SYNC_VERIFY_INTERVAL ${seconds(schedule.verifyIntervalSeconds)} stretched, verifications take at most a quarter of API_CALL_BUDGET`
    : `every ${seconds(schedule.verifyIntervalSeconds)} (SYNC_VERIFY_INTERVAL)`;
  const rows: Array<[string, number, string]> = [
    ['probes', cost.probes, probeNote],
    ['verifications', cost.verifications, `a full read of every list ${verifyNote}`],
    [
      'closures',
      cost.closures,
      `${n(cost.assumptions.closuresPerDay)} a day assumed (--closures-per-day), ⌈log2 pages⌉ + 1 calls each`,
    ],
    ['a month', cost.month, 'once every list has been read'],
    ['first sync', cost.firstSync, 'once: every page of every list'],
    ['first month', cost.firstMonth, ''],
  ];
  const width = Math.max(...rows.map(([, v]) => n(v).length));
  return [
    `A month (30 days) of SYNC_CRON "${safe(schedule.cron)}" in ${safe(schedule.timezone)}: ${n(schedule.ticksPerMonth)} ticks, ${cost.lists} list${cost.lists === 1 ? '' : 's'}`,
    ...rows.map(([name, v, note]) => `  ${name.padEnd(14)}${n(v).padStart(width)}  ${note}`.trimEnd()),
    'Assumed: every list served newest first (a probe is one call; a list served otherwise is read fully at each tick),',
    'arrivals fewer than a page per list per tick (they come with the probe).',
  ];
}

function budgetLines(report: CheckReport): string[] {
  if (!report.cost) return [];
  const lines: string[] = [''];
  const b = report.budget;
  if (b) {
    const per = b.period === 'day' ? `${n(b.perPeriod)} a day, ${n(b.calls)} a month` : `${n(b.calls)} a month`;
    lines.push(`Against API_CALL_BUDGET (${per}): ${fitText(b)}.`);
    if (!b.fits)
      lines.push('  The worker keeps within it by probing lists less often than SYNC_CRON says (open statuses first).');
  } else lines.push('API_CALL_BUDGET is not set: nothing stops the worker from spending the whole allowance.');
  lines.push('Against the licence allowances (a month, shared by every integration of the organisation):');
  for (const a of report.allowances) lines.push(`  ${n(a.calls).padStart(6)}  ${a.licence}: ${fitText(a)}`);
  lines.push('');
  for (const s of report.suggestions) {
    const target = s.target === 'API_CALL_BUDGET' ? `API_CALL_BUDGET (${n(s.calls)} a month)` : `${n(s.calls)} (${s.target})`;
    lines.push(
      s.fit
        ? `Fits ${target}: a tick every ${describeMinutes(s.fit.everyMinutes)}, SYNC_CRON="${s.fit.cron}": ` +
            `${n(s.fit.cost.firstMonth)} calls in the first month (${n(s.fit.cost.month)} after), room for ${n(s.fit.spare)} calls of the other integrations.`
        : `Nothing fits ${target}, not even a tick a day: ${n(s.cheapest.firstMonth)} calls in the first month ` +
            `(verifications ${n(s.cheapest.verifications)}, closures ${n(s.cheapest.closures)}, first sync ${n(s.cheapest.firstSync)}): ` +
            'raise SYNC_PAGE_SIZE or SYNC_VERIFY_INTERVAL, or sync fewer lists.',
    );
  }
  return lines;
}

/** The report for stdout. */
export function renderCheckText(report: CheckReport): string {
  const key = { accepted: 'key accepted', rejected: 'key refused', unverified: 'key not verified' }[report.api.key];
  const ledger = report.callsRecorded ? 'recorded in the call ledger' : 'not recorded: DATABASE_URL is not set';
  const lines = [
    `QuestionPro at ${safe(report.api.host)} (${report.api.addressFrom}): ${key}; the check spent ${calls(report.calls)} (${ledger}).`,
  ];
  if (report.api.key === 'rejected') return lines.join('\n');
  const rows = report.lists.map((l) => ({
    list: listName(l),
    status: l.statusLabel === `status ${l.status}` ? String(l.status) : `${l.status} ${safe(l.statusLabel)}`,
    tickets: l.tickets === undefined ? '' : n(l.tickets),
    pages: l.pages === undefined ? '' : n(l.pages),
    'per page': l.problem ? '' : `${l.perPage}${l.perPageAssumed ? ' (assumed)' : ''}`,
    problem: l.problem ? PROBLEMS[l.problem.kind].note : '',
  }));
  const columns = ['list', 'status', 'tickets', 'pages', 'per page', ...(rows.some((r) => r.problem) ? ['problem'] : [])];
  lines.push('', renderRows(rows, columns));
  const problems = report.lists.filter((l) => l.problem && l.problem.kind !== 'not-checked');
  for (const l of problems) {
    const { hint } = PROBLEMS[l.problem!.kind];
    lines.push(`  ${listName(l)} status ${l.status}: ${hint}.`, `    ${safe(l.problem!.message)}`);
  }
  if (report.lists.some((l) => l.perPageAssumed && l.pages !== undefined))
    lines.push(
      '',
      'Pages at SYNC_PAGE_SIZE, assumed: the first sync learns the size the server serves ' +
        '(a server may serve fewer, or refuse more than 100 a page: then lists are read at 100).',
    );
  lines.push('', ...costLines(report), ...budgetLines(report));
  return lines.join('\n');
}
