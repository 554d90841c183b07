-- CreateTable
CREATE TABLE "detractor_segments" (
    "segment_id" BIGINT NOT NULL,
    "name" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "detractor_segments_pkey" PRIMARY KEY ("segment_id")
);

-- CreateTable
CREATE TABLE "reporting_settings" (
    "id" SMALLINT NOT NULL DEFAULT 1,
    "report_timezone" TEXT NOT NULL DEFAULT 'UTC',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reporting_settings_pkey" PRIMARY KEY ("id")
);

-- ---------------------------------------------------------------------------
-- Hand-written below: one settings row, segments and statuses already synced,
-- the views rebuilt (new columns in the middle need DROP and CREATE), comments.
-- ---------------------------------------------------------------------------
ALTER TABLE "reporting_settings" ADD CONSTRAINT "reporting_settings_single_row" CHECK ("id" = 1);
INSERT INTO "reporting_settings" ("id") VALUES (1);

-- Every segment and status already in the data gets a row, named by configuration at the next run.
INSERT INTO "detractor_segments" ("segment_id")
SELECT DISTINCT "segment_id" FROM "detractor_ticket_segments"
UNION
SELECT DISTINCT "segment_id" FROM "sync_run_segments"
ON CONFLICT DO NOTHING;

INSERT INTO "detractor_ticket_statuses" ("status", "label", "is_open")
SELECT DISTINCT "status", 'status ' || "status", false FROM "detractor_ticket_segments"
ON CONFLICT ("status") DO NOTHING;

DROP VIEW "v_open_detractor_tickets";
DROP VIEW "v_detractor_tickets_daily";
DROP VIEW "v_ticket_sla";
DROP VIEW "v_sync_health";

CREATE VIEW "v_open_detractor_tickets" AS
SELECT m.segment_id,
       coalesce(g.name, 'Segment ' || m.segment_id) AS segment_name,
       t.ticket_id,
       t.response_id,
       m.status,
       s.label AS status_label,
       t.rating,
       t.comment,
       t.email_address,
       t.phone_number,
       t.created_at,
       t.time_limit_hours,
       t.due_at,
       round((extract(epoch FROM t.due_at - now()) / 3600)::numeric, 2) AS hours_until_due,
       t.due_at < now() AS is_overdue,
       m.first_seen_at,
       t.updated_at
FROM "detractor_ticket_segments" m
JOIN "detractor_ticket_statuses" s ON s.status = m.status AND s.is_open
JOIN "detractor_tickets" t ON t.ticket_id = m.ticket_id
LEFT JOIN "detractor_segments" g ON g.segment_id = m.segment_id
WHERE m.gone_at IS NULL;

CREATE VIEW "v_open_detractor_tickets_no_pii" AS
SELECT m.segment_id,
       coalesce(g.name, 'Segment ' || m.segment_id) AS segment_name,
       t.ticket_id,
       m.status,
       s.label AS status_label,
       t.rating,
       t.comment <> '' AS has_comment,
       t.created_at,
       t.time_limit_hours,
       t.due_at,
       round((extract(epoch FROM t.due_at - now()) / 3600)::numeric, 2) AS hours_until_due,
       t.due_at < now() AS is_overdue,
       m.first_seen_at,
       t.updated_at
FROM "detractor_ticket_segments" m
JOIN "detractor_ticket_statuses" s ON s.status = m.status AND s.is_open
JOIN "detractor_tickets" t ON t.ticket_id = m.ticket_id
LEFT JOIN "detractor_segments" g ON g.segment_id = m.segment_id
WHERE m.gone_at IS NULL;

CREATE VIEW "v_detractor_tickets_daily" AS
WITH per_segment AS (
    SELECT m.segment_id, m.ticket_id,
           bool_or(m.gone_at IS NULL AND s.is_open IS TRUE) AS is_open
    FROM "detractor_ticket_segments" m
    LEFT JOIN "detractor_ticket_statuses" s ON s.status = m.status
    GROUP BY m.segment_id, m.ticket_id
)
SELECT (t.created_at AT TIME ZONE r.report_timezone)::date AS day,
       p.segment_id,
       coalesce(g.name, 'Segment ' || p.segment_id) AS segment_name,
       r.report_timezone AS timezone,
       count(*) AS new_tickets,
       count(t.rating) AS rated_tickets,
       coalesce(sum(t.rating), 0) AS rating_sum,
       round(avg(t.rating), 2) AS mean_rating,
       count(*) FILTER (WHERE t.rating IS NULL) AS ratings_missing,
       count(*) FILTER (WHERE t.rating = 0) AS rating_0,
       count(*) FILTER (WHERE t.rating = 1) AS rating_1,
       count(*) FILTER (WHERE t.rating = 2) AS rating_2,
       count(*) FILTER (WHERE t.rating = 3) AS rating_3,
       count(*) FILTER (WHERE t.rating = 4) AS rating_4,
       count(*) FILTER (WHERE t.rating = 5) AS rating_5,
       count(*) FILTER (WHERE t.rating = 6) AS rating_6,
       count(*) FILTER (WHERE t.rating >= 7) AS rating_7_to_10,
       count(*) FILTER (WHERE p.is_open) AS still_open,
       count(*) FILTER (WHERE p.is_open AND t.due_at < now()) AS overdue
FROM per_segment p
JOIN "detractor_tickets" t ON t.ticket_id = p.ticket_id
CROSS JOIN "reporting_settings" r
LEFT JOIN "detractor_segments" g ON g.segment_id = p.segment_id
GROUP BY 1, 2, 3, 4;

-- Per ticket: open lists decide when it left (gone_at), lists of any status tell where it is now.
CREATE VIEW "v_ticket_sla" AS
WITH per_ticket AS (
    SELECT m.ticket_id,
           bool_or(s.is_open IS TRUE) AS was_open,
           bool_or(s.is_open IS TRUE AND m.gone_at IS NULL) AS still_open,
           max(m.gone_at) FILTER (WHERE s.is_open IS TRUE) AS last_left_at,
           array_agg(DISTINCT m.segment_id ORDER BY m.segment_id) AS segment_ids
    FROM "detractor_ticket_segments" m
    LEFT JOIN "detractor_ticket_statuses" s ON s.status = m.status
    GROUP BY m.ticket_id
)
SELECT t.ticket_id,
       p.segment_ids,
       t.status,
       coalesce(s.label, 'status ' || t.status) AS status_label,
       t.created_at,
       t.first_seen_at,
       t.due_at,
       t.time_limit_hours,
       CASE WHEN p.was_open AND NOT p.still_open THEN p.last_left_at END AS left_open_at,
       CASE WHEN p.was_open AND NOT p.still_open THEN p.last_left_at <= t.due_at END AS closed_before_due,
       CASE
           WHEN p.still_open THEN round((extract(epoch FROM now() - t.created_at) / 3600)::numeric, 2)
           WHEN p.was_open THEN round((extract(epoch FROM p.last_left_at - t.created_at) / 3600)::numeric, 2)
       END AS hours_open,
       CASE
           WHEN p.still_open AND t.due_at < now() THEN 'open_overdue'
           WHEN p.still_open THEN 'open'
           WHEN NOT p.was_open THEN 'closed_unknown'
           WHEN p.last_left_at <= t.due_at THEN 'closed_in_time'
           ELSE 'closed_late'
       END AS sla_state
FROM "detractor_tickets" t
JOIN per_ticket p ON p.ticket_id = t.ticket_id
LEFT JOIN "detractor_ticket_statuses" s ON s.status = t.status;

-- The same per segment: one row per segment and ticket, no arrays (GUI query builders cannot use them).
CREATE VIEW "v_ticket_sla_by_segment" AS
WITH per_segment AS (
    SELECT m.segment_id,
           m.ticket_id,
           bool_or(s.is_open IS TRUE) AS was_open,
           bool_or(s.is_open IS TRUE AND m.gone_at IS NULL) AS still_open,
           max(m.gone_at) FILTER (WHERE s.is_open IS TRUE) AS last_left_at
    FROM "detractor_ticket_segments" m
    LEFT JOIN "detractor_ticket_statuses" s ON s.status = m.status
    GROUP BY m.segment_id, m.ticket_id
)
SELECT p.segment_id,
       coalesce(g.name, 'Segment ' || p.segment_id) AS segment_name,
       t.ticket_id,
       t.status,
       coalesce(s.label, 'status ' || t.status) AS status_label,
       t.created_at,
       t.due_at,
       t.time_limit_hours,
       CASE WHEN p.was_open AND NOT p.still_open THEN p.last_left_at END AS left_open_at,
       CASE WHEN p.was_open AND NOT p.still_open THEN p.last_left_at <= t.due_at END AS closed_before_due,
       CASE
           WHEN p.still_open THEN round((extract(epoch FROM now() - t.created_at) / 3600)::numeric, 2)
           WHEN p.was_open THEN round((extract(epoch FROM p.last_left_at - t.created_at) / 3600)::numeric, 2)
       END AS hours_open,
       CASE
           WHEN p.still_open AND t.due_at < now() THEN 'open_overdue'
           WHEN p.still_open THEN 'open'
           WHEN NOT p.was_open THEN 'closed_unknown'
           WHEN p.last_left_at <= t.due_at THEN 'closed_in_time'
           ELSE 'closed_late'
       END AS sla_state
FROM per_segment p
JOIN "detractor_tickets" t ON t.ticket_id = p.ticket_id
LEFT JOIN "detractor_ticket_statuses" s ON s.status = t.status
LEFT JOIN "detractor_segments" g ON g.segment_id = p.segment_id;

CREATE VIEW "v_sync_health" AS
WITH attempts AS (
    SELECT r.*
    FROM "sync_run_segments" r
    WHERE r.outcome <> 'running'
      -- A list skipped because a replica had it is not an attempt of this list.
      AND NOT (r.outcome = 'skipped' AND r.error_code IN ('LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE'))
),
latest AS (
    SELECT DISTINCT ON (segment_id, status) segment_id, status, outcome, finished_at
    FROM attempts ORDER BY segment_id, status, finished_at DESC NULLS LAST, id DESC
),
last_success AS (
    SELECT segment_id, status, max(finished_at) AS finished_at, count(*) AS successes
    FROM attempts WHERE outcome = 'succeeded' GROUP BY segment_id, status
),
last_error AS (
    SELECT DISTINCT ON (segment_id, status) segment_id, status, finished_at, error_code, error_message, error_request_id
    FROM attempts WHERE outcome <> 'succeeded' ORDER BY segment_id, status, finished_at DESC NULLS LAST, id DESC
)
SELECT l.segment_id,
       coalesce(g.name, 'Segment ' || l.segment_id) AS segment_name,
       l.status,
       coalesce(st.label, 'status ' || l.status) AS status_label,
       s.finished_at AS last_success_at,
       now() - s.finished_at AS last_success_age,
       round(extract(epoch FROM now() - s.finished_at))::bigint AS last_success_age_seconds,
       l.finished_at AS last_attempt_at,
       l.outcome AS last_outcome,
       e.finished_at AS last_error_at,
       e.error_code AS last_error_code,
       e.error_message AS last_error_message,
       e.error_request_id AS last_error_request_id,
       (SELECT count(*) FROM "detractor_ticket_segments" m
        WHERE m.segment_id = l.segment_id AND m.status = l.status AND m.gone_at IS NULL) AS tickets_in_list
FROM latest l
LEFT JOIN last_success s ON s.segment_id = l.segment_id AND s.status = l.status
LEFT JOIN last_error e ON e.segment_id = l.segment_id AND e.status = l.status
LEFT JOIN "detractor_segments" g ON g.segment_id = l.segment_id
LEFT JOIN "detractor_ticket_statuses" st ON st.status = l.status;

-- ---------------------------------------------------------------------------
-- Comments: the data dictionary (README) is generated from these.
-- ---------------------------------------------------------------------------
COMMENT ON TABLE "detractor_segments" IS 'One row per synced segment, with its name from SYNC_SEGMENT_NAMES. A name stays when it is removed from the configuration.';
COMMENT ON COLUMN "detractor_segments"."segment_id" IS 'QuestionPro segmentID.';
COMMENT ON COLUMN "detractor_segments"."name" IS 'Name from SYNC_SEGMENT_NAMES, NULL when never named (views then show "Segment <id>").';
COMMENT ON COLUMN "detractor_segments"."updated_at" IS 'When the row was last written.';

COMMENT ON TABLE "reporting_settings" IS 'One row: settings the views read, written by the worker from its configuration at every start.';
COMMENT ON COLUMN "reporting_settings"."id" IS 'Always 1 (a single row).';
COMMENT ON COLUMN "reporting_settings"."report_timezone" IS 'REPORT_TIMEZONE (default SYNC_TIMEZONE): the time zone whose calendar days v_detractor_tickets_daily counts in.';
COMMENT ON COLUMN "reporting_settings"."updated_at" IS 'When the row was last written.';

COMMENT ON TABLE "detractor_ticket_statuses" IS 'What each ticket status code means. Every synced status gets a row: labels from SYNC_STATUS_LABELS (default: 0 open, the only code the API documents, others "status N"), is_open from SYNC_OPEN_STATUSES.';
COMMENT ON COLUMN "detractor_ticket_statuses"."label" IS 'Human-readable name (SYNC_STATUS_LABELS); a label set in SQL stays until the configuration names the status.';
COMMENT ON COLUMN "detractor_ticket_statuses"."is_open" IS 'Whether tickets in lists of this status are open, awaiting action (SYNC_OPEN_STATUSES).';

COMMENT ON COLUMN "detractor_tickets"."rating" IS 'The respondent''s 0-10 answer to the likelihood-to-recommend question (API rating, a string), NULL when the API sent "" (no rating). Detractors answered 0-6. Only detractors are synced, so NPS itself cannot be computed from this data.';
COMMENT ON COLUMN "detractor_ticket_versions"."rating" IS 'As detractor_tickets.rating (0-10 likelihood to recommend), in this version.';

COMMENT ON VIEW "v_open_detractor_tickets" IS 'Open tickets: one row per segment and ticket currently in an open list (see detractor_ticket_statuses), with due-date figures computed at query time. A ticket open in two segments appears twice: count DISTINCT ticket_id across segments. Holds personal data (e-mail, phone, comment): see v_open_detractor_tickets_no_pii.';
COMMENT ON COLUMN "v_open_detractor_tickets"."segment_id" IS 'Segment whose open list holds the ticket.';
COMMENT ON COLUMN "v_open_detractor_tickets"."segment_name" IS 'detractor_segments.name, or "Segment <id>" when not named.';
COMMENT ON COLUMN "v_open_detractor_tickets"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_open_detractor_tickets"."response_id" IS 'QuestionPro responseID.';
COMMENT ON COLUMN "v_open_detractor_tickets"."status" IS 'Status code of the open list.';
COMMENT ON COLUMN "v_open_detractor_tickets"."status_label" IS 'detractor_ticket_statuses.label.';
COMMENT ON COLUMN "v_open_detractor_tickets"."rating" IS '0-10 likelihood-to-recommend answer (detractors: 0-6), NULL when not given.';
COMMENT ON COLUMN "v_open_detractor_tickets"."comment" IS 'Respondent comment.';
COMMENT ON COLUMN "v_open_detractor_tickets"."email_address" IS 'Respondent e-mail, NULL when empty.';
COMMENT ON COLUMN "v_open_detractor_tickets"."phone_number" IS 'Respondent phone, NULL when empty.';
COMMENT ON COLUMN "v_open_detractor_tickets"."created_at" IS 'When the ticket was created.';
COMMENT ON COLUMN "v_open_detractor_tickets"."time_limit_hours" IS 'Hours allowed to close the loop.';
COMMENT ON COLUMN "v_open_detractor_tickets"."due_at" IS 'When the ticket is due.';
COMMENT ON COLUMN "v_open_detractor_tickets"."hours_until_due" IS 'Hours from now until due_at (negative: overdue), at query time.';
COMMENT ON COLUMN "v_open_detractor_tickets"."is_overdue" IS 'due_at is in the past, at query time.';
COMMENT ON COLUMN "v_open_detractor_tickets"."first_seen_at" IS 'When a sync first saw the ticket in this list.';
COMMENT ON COLUMN "v_open_detractor_tickets"."updated_at" IS 'When a source field of the ticket last changed.';

COMMENT ON VIEW "v_open_detractor_tickets_no_pii" IS 'v_open_detractor_tickets without personal data: no e-mail, phone, comment (free text often names people) or response id. For roles created with db:readonly-role --no-pii.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."segment_id" IS 'Segment whose open list holds the ticket.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."segment_name" IS 'detractor_segments.name, or "Segment <id>" when not named.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."status" IS 'Status code of the open list.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."status_label" IS 'detractor_ticket_statuses.label.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."rating" IS '0-10 likelihood-to-recommend answer (detractors: 0-6), NULL when not given.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."has_comment" IS 'Whether the respondent left a comment (its text is not in this view).';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."created_at" IS 'When the ticket was created.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."time_limit_hours" IS 'Hours allowed to close the loop.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."due_at" IS 'When the ticket is due.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."hours_until_due" IS 'Hours from now until due_at (negative: overdue), at query time.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."is_overdue" IS 'due_at is in the past, at query time.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."first_seen_at" IS 'When a sync first saw the ticket in this list.';
COMMENT ON COLUMN "v_open_detractor_tickets_no_pii"."updated_at" IS 'When a source field of the ticket last changed.';

COMMENT ON VIEW "v_detractor_tickets_daily" IS 'Per calendar day of creation (in reporting_settings.report_timezone) and segment: new tickets, rating counts and sums, and how many are still open / overdue now. Roll up with sums (rating_sum / rated_tickets), never by averaging mean_rating.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."day" IS 'Day the tickets were created, in the report time zone (column timezone).';
COMMENT ON COLUMN "v_detractor_tickets_daily"."segment_id" IS 'Segment the tickets were seen in.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."segment_name" IS 'detractor_segments.name, or "Segment <id>" when not named.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."timezone" IS 'The IANA time zone day is counted in (REPORT_TIMEZONE).';
COMMENT ON COLUMN "v_detractor_tickets_daily"."new_tickets" IS 'Tickets created that day.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rated_tickets" IS 'Of those, tickets with a rating.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_sum" IS 'Sum of their ratings: sum(rating_sum) / sum(rated_tickets) is the exact mean over any period or segments.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."mean_rating" IS 'rating_sum / rated_tickets rounded to 2 decimals, NULL when none was rated. For display only: do not average it across rows.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."ratings_missing" IS 'Tickets without a rating.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_0" IS 'Tickets rated 0.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_1" IS 'Tickets rated 1.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_2" IS 'Tickets rated 2.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_3" IS 'Tickets rated 3.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_4" IS 'Tickets rated 4.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_5" IS 'Tickets rated 5.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_6" IS 'Tickets rated 6.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."rating_7_to_10" IS 'Tickets rated 7-10 (not detractors, should be 0).';
COMMENT ON COLUMN "v_detractor_tickets_daily"."still_open" IS 'Of those, tickets still in an open list of the segment now.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."overdue" IS 'Of those, tickets still open and past due now.';

COMMENT ON VIEW "v_ticket_sla" IS 'Per ticket in any synced list: when it was created and first seen, when it left the open lists (from gone_at), and whether that was before due_at. See v_ticket_sla_by_segment for one row per segment without arrays.';
COMMENT ON COLUMN "v_ticket_sla"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_ticket_sla"."segment_ids" IS 'Segments whose lists (any status) held the ticket.';
COMMENT ON COLUMN "v_ticket_sla"."status" IS 'Status code of the list the ticket is in now.';
COMMENT ON COLUMN "v_ticket_sla"."status_label" IS 'detractor_ticket_statuses.label of status.';
COMMENT ON COLUMN "v_ticket_sla"."created_at" IS 'When the ticket was created.';
COMMENT ON COLUMN "v_ticket_sla"."first_seen_at" IS 'When a sync first stored the ticket.';
COMMENT ON COLUMN "v_ticket_sla"."due_at" IS 'When the ticket is due.';
COMMENT ON COLUMN "v_ticket_sla"."time_limit_hours" IS 'Hours allowed to close the loop.';
COMMENT ON COLUMN "v_ticket_sla"."left_open_at" IS 'When the ticket left its last open list (a sync found it gone), NULL while still open or when never seen open.';
COMMENT ON COLUMN "v_ticket_sla"."closed_before_due" IS 'left_open_at <= due_at, NULL when left_open_at is. Accurate to the sync interval.';
COMMENT ON COLUMN "v_ticket_sla"."hours_open" IS 'Hours from created_at to left_open_at (or to now while open), NULL when never seen open.';
COMMENT ON COLUMN "v_ticket_sla"."sla_state" IS 'open, open_overdue, closed_in_time, closed_late, or closed_unknown (seen only in lists that are not open: it closed before a sync saw it open, when is unknown).';

COMMENT ON VIEW "v_ticket_sla_by_segment" IS 'As v_ticket_sla, one row per segment and ticket (no arrays, for GUI query builders): the open and closed times are those of that segment''s lists.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."segment_id" IS 'QuestionPro segmentID of the lists that held the ticket.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."segment_name" IS 'detractor_segments.name, or "Segment <id>" when not named.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."status" IS 'Status code of the list the ticket is in now.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."status_label" IS 'detractor_ticket_statuses.label of status.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."created_at" IS 'When the ticket was created.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."due_at" IS 'When the ticket is due.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."time_limit_hours" IS 'Hours allowed to close the loop.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."left_open_at" IS 'When the ticket left this segment''s open lists, NULL while still open there or when never seen open.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."closed_before_due" IS 'left_open_at <= due_at, NULL when left_open_at is. Accurate to the sync interval.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."hours_open" IS 'Hours from created_at to left_open_at (or to now while open), NULL when never seen open.';
COMMENT ON COLUMN "v_ticket_sla_by_segment"."sla_state" IS 'open, open_overdue, closed_in_time, closed_late or closed_unknown, in this segment (see v_ticket_sla).';

COMMENT ON VIEW "v_sync_health" IS 'Per segment and status: is the data fresh? Last successful sync and its age, the last attempt and the last error.';
COMMENT ON COLUMN "v_sync_health"."segment_id" IS 'QuestionPro segmentID.';
COMMENT ON COLUMN "v_sync_health"."segment_name" IS 'detractor_segments.name, or "Segment <id>" when not named.';
COMMENT ON COLUMN "v_sync_health"."status" IS 'Status code of the list.';
COMMENT ON COLUMN "v_sync_health"."status_label" IS 'detractor_ticket_statuses.label, or "status <code>".';
COMMENT ON COLUMN "v_sync_health"."last_success_at" IS 'When the list last synced successfully, NULL if never.';
COMMENT ON COLUMN "v_sync_health"."last_success_age" IS 'now() - last_success_at.';
COMMENT ON COLUMN "v_sync_health"."last_success_age_seconds" IS 'last_success_age in seconds, for thresholds in dashboards.';
COMMENT ON COLUMN "v_sync_health"."last_attempt_at" IS 'When the list was last attempted (any outcome).';
COMMENT ON COLUMN "v_sync_health"."last_outcome" IS 'Outcome of the last attempt.';
COMMENT ON COLUMN "v_sync_health"."last_error_at" IS 'When the last unsuccessful attempt ended, NULL if none.';
COMMENT ON COLUMN "v_sync_health"."last_error_code" IS 'error_code of the last unsuccessful attempt.';
COMMENT ON COLUMN "v_sync_health"."last_error_message" IS 'error_message of the last unsuccessful attempt.';
COMMENT ON COLUMN "v_sync_health"."last_error_request_id" IS 'QuestionPro requestID of the last error, for support.';
COMMENT ON COLUMN "v_sync_health"."tickets_in_list" IS 'Tickets currently in the list (not gone).';
