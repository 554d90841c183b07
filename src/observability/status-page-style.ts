/**
 * The status page's style sheet, inlined into the page: system fonts only (no font is
 * downloaded), colours that keep their meaning in the charts and the badges (blue:
 * open/used, red: overdue/over the budget/failed, amber: anything else not fine).
 *
 * Read on a phone too (360 px and up): the page itself never scrolls sideways. Columns
 * stack when the screen is narrow, charts scale down with their box, and a wide table
 * scrolls inside its own box (.table-box) rather than pushing the page wider.
 */
export const STATUS_PAGE_STYLE = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6472; --line: #d9dee5; --bg: #f5f7fa;
  --blue: #2f6fb3; --blue-light: #a9c8e8; --red: #c0392b; --amber: #b7791f; --green: #2e7d4f; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 18px 0 8px; color: var(--muted); }
header p, footer { color: var(--muted); }
footer { padding-bottom: 24px; font-size: 12px; }
a { color: var(--blue); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 16px;
  margin: 16px 0; }
.columns > section { margin: 0; min-width: 0; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 16px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 220px), 1fr)); gap: 12px;
  background: none; border: 0; padding: 0; }
.card { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 8px;
  padding: 10px 14px; }
.card.ok { border-left-color: var(--green); }
.card.warn { border-left-color: var(--amber); }
.card.bad { border-left-color: var(--red); }
.card-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card-value { font-size: 18px; font-weight: 600; margin-top: 2px; }
.table-box { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
#open-tickets { width: auto; min-width: min(100%, 360px); }
td.message { min-width: 200px; max-width: 360px; overflow-wrap: anywhere; }
td.id { font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff;
  background: var(--amber); }
.badge.ok { background: var(--green); }
.badge.bad { background: var(--red); }
.empty, .note { color: var(--muted); }
.note { margin: -6px 0 10px; }
.down { border-left: 5px solid var(--red); }
.down .message { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
dl.figures { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 12px; }
dl.figures dt { color: var(--muted); }
dl.figures dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
svg.chart { display: block; width: 100%; max-width: 640px; height: auto; margin: 4px 0 12px; }
svg .label, svg .legend { font-size: 12px; fill: var(--ink); }
svg .figure { font-size: 11px; fill: var(--muted); }
svg .open, svg .used { fill: var(--blue); }
svg .projected { fill: var(--blue-light); }
svg .overdue, svg .over { fill: var(--red); }
svg .budget-mark { stroke: var(--ink); stroke-width: 2; stroke-dasharray: 4 3; }
@media (max-width: 600px) {
  header, main, footer { padding: 0 12px; }
  header { padding-top: 12px; }
  section { padding: 12px; }
  dl.figures { grid-template-columns: 1fr; gap: 0; }
  dl.figures dd { margin-bottom: 6px; }
}
`;
