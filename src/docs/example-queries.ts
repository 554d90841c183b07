/**
 * Example analyst queries shown in docs/data-model.md (with their output on the demo data,
 * `npm run docs`) and run by a test, so none of them can rot.
 */
export interface ExampleQuery {
  readonly title: string;
  readonly sql: string;
}

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    title: 'Open tickets and how many are overdue, per segment (by name)',
    sql: `SELECT segment_name,
       count(*) AS open_tickets,
       count(*) FILTER (WHERE is_overdue) AS overdue,
       count(*) FILTER (WHERE NOT is_overdue AND hours_until_due <= 24) AS due_within_24h
FROM v_open_detractor_tickets
GROUP BY segment_id, segment_name
ORDER BY segment_id;`,
  },
  {
    title: 'Due in the next 24 hours, without personal data (for a --no-pii role)',
    sql: `SELECT segment_name, ticket_id, rating, has_comment, due_at, hours_until_due
FROM v_open_detractor_tickets_no_pii
WHERE NOT is_overdue AND hours_until_due <= 24
ORDER BY hours_until_due, ticket_id
LIMIT 5;`,
  },
  {
    title: 'New detractors and their exact mean rating per week (sums, not an average of daily means)',
    sql: `SELECT date_trunc('week', day)::date AS week,
       sum(new_tickets) AS new_tickets,
       round(sum(rating_sum)::numeric / nullif(sum(rated_tickets), 0), 2) AS mean_rating,
       round(avg(mean_rating), 2) AS wrong_average_of_daily_means,
       sum(rating_0 + rating_1 + rating_2 + rating_3) AS rated_0_to_3
FROM v_detractor_tickets_daily
GROUP BY 1
ORDER BY 1 DESC
LIMIT 4;`,
  },
  {
    title: 'SLA per segment: closed in time, late, or still open (no arrays)',
    sql: `SELECT segment_name, sla_state, count(*) AS tickets, round(avg(hours_open), 1) AS mean_hours_open
FROM v_ticket_sla_by_segment
GROUP BY segment_id, segment_name, sla_state
ORDER BY segment_id, sla_state;`,
  },
  {
    title: 'Every synced status with its label, and where its tickets stand',
    sql: `SELECT status, status_label, sla_state, count(*) AS tickets
FROM v_ticket_sla
GROUP BY status, status_label, sla_state
ORDER BY status, sla_state;`,
  },
  {
    title: 'When did tickets change status (from the history)',
    sql: `SELECT ticket_id, changed_at, from_status, to_status
FROM (
  SELECT ticket_id, valid_from AS changed_at,
         lag(status) OVER (PARTITION BY ticket_id ORDER BY valid_from) AS from_status,
         status AS to_status
  FROM detractor_ticket_versions
) AS history
WHERE from_status IS DISTINCT FROM to_status AND from_status IS NOT NULL
ORDER BY changed_at DESC, ticket_id
LIMIT 5;`,
  },
  {
    title: "What a ticket looked like at a given time (replace now() with e.g. '2026-11-24 12:00+00')",
    sql: `SELECT ticket_id, status, rating, left(comment, 40) AS comment, valid_from, valid_to
FROM detractor_ticket_versions
WHERE ticket_id = 101000000001
  AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now());`,
  },
  {
    title: 'Is the data fresh? (a dashboard tile)',
    sql: `SELECT segment_name, status_label, last_outcome, last_success_age_seconds < 3 * 15 * 60 AS fresh, tickets_in_list, last_error_code
FROM v_sync_health
ORDER BY segment_id, status;`,
  },
];
