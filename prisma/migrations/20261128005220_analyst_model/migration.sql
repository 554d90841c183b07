-- CreateTable
CREATE TABLE "detractor_ticket_versions" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" BIGINT NOT NULL,
    "valid_from" TIMESTAMPTZ(6) NOT NULL,
    "valid_to" TIMESTAMPTZ(6),
    "run_id" BIGINT,
    "response_id" BIGINT NOT NULL,
    "email_address" TEXT,
    "phone_number" TEXT,
    "rating" SMALLINT,
    "comment" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "time_limit_hours" INTEGER NOT NULL,
    "due_at" TIMESTAMPTZ(6) NOT NULL,
    "status" INTEGER NOT NULL,

    CONSTRAINT "detractor_ticket_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "detractor_ticket_statuses" (
    "status" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "is_open" BOOLEAN NOT NULL,

    CONSTRAINT "detractor_ticket_statuses_pkey" PRIMARY KEY ("status")
);

-- CreateIndex
CREATE INDEX "detractor_ticket_versions_ticket_id_valid_from_idx" ON "detractor_ticket_versions"("ticket_id", "valid_from");

-- AddForeignKey
ALTER TABLE "detractor_ticket_versions" ADD CONSTRAINT "detractor_ticket_versions_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "detractor_tickets"("ticket_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below: seed data, history backfill, views, comments.
-- ---------------------------------------------------------------------------

-- Status codes are not documented by QuestionPro, 0 is the documented open list.
INSERT INTO "detractor_ticket_statuses" ("status", "label", "is_open") VALUES (0, 'open', true)
ON CONFLICT ("status") DO NOTHING;

-- Tickets stored before history existed start with their current version.
INSERT INTO "detractor_ticket_versions"
    ("ticket_id", "valid_from", "valid_to", "run_id", "response_id", "email_address", "phone_number",
     "rating", "comment", "created_at", "time_limit_hours", "due_at", "status")
SELECT "ticket_id", "updated_at", NULL, "last_run_id", "response_id", "email_address", "phone_number",
       "rating", "comment", "created_at", "time_limit_hours", "due_at", "status"
FROM "detractor_tickets";

CREATE VIEW "v_open_detractor_tickets" AS
SELECT m.segment_id,
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
WHERE m.gone_at IS NULL;

CREATE VIEW "v_detractor_tickets_daily" AS
WITH per_segment AS (
    SELECT m.segment_id, m.ticket_id,
           bool_or(m.gone_at IS NULL AND s.is_open IS TRUE) AS is_open
    FROM "detractor_ticket_segments" m
    LEFT JOIN "detractor_ticket_statuses" s ON s.status = m.status
    GROUP BY m.segment_id, m.ticket_id
)
SELECT (t.created_at AT TIME ZONE 'UTC')::date AS day,
       p.segment_id,
       count(*) AS new_tickets,
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
GROUP BY 1, 2;

CREATE VIEW "v_ticket_sla" AS
WITH open_memberships AS (
    SELECT m.ticket_id,
           bool_or(m.gone_at IS NULL) AS still_open,
           max(m.gone_at) AS last_left_at,
           array_agg(DISTINCT m.segment_id ORDER BY m.segment_id) AS segment_ids
    FROM "detractor_ticket_segments" m
    JOIN "detractor_ticket_statuses" s ON s.status = m.status AND s.is_open
    GROUP BY m.ticket_id
)
SELECT t.ticket_id,
       o.segment_ids,
       t.created_at,
       t.first_seen_at,
       t.due_at,
       t.time_limit_hours,
       CASE WHEN o.still_open THEN NULL ELSE o.last_left_at END AS left_open_at,
       CASE WHEN o.still_open THEN NULL ELSE o.last_left_at <= t.due_at END AS closed_before_due,
       round((extract(epoch FROM CASE WHEN o.still_open THEN now() ELSE o.last_left_at END - t.created_at) / 3600)::numeric, 2)
           AS hours_open,
       CASE
           WHEN o.still_open AND t.due_at < now() THEN 'open_overdue'
           WHEN o.still_open THEN 'open'
           WHEN o.last_left_at <= t.due_at THEN 'closed_in_time'
           ELSE 'closed_late'
       END AS sla_state
FROM "detractor_tickets" t
JOIN open_memberships o ON o.ticket_id = t.ticket_id;

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
       l.status,
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
LEFT JOIN last_error e ON e.segment_id = l.segment_id AND e.status = l.status;

-- ---------------------------------------------------------------------------
-- Comments: the data dictionary (README) is generated from these.
-- ---------------------------------------------------------------------------
COMMENT ON TABLE "detractor_tickets" IS 'One row per QuestionPro CX detractor ticket, its latest version as seen by any configured list. Source: POST /cx/tickets/detractors.';
COMMENT ON COLUMN "detractor_tickets"."ticket_id" IS 'QuestionPro ticketID. Primary key.';
COMMENT ON COLUMN "detractor_tickets"."response_id" IS 'QuestionPro responseID: the survey response that raised the ticket.';
COMMENT ON COLUMN "detractor_tickets"."email_address" IS 'Respondent e-mail (API emailAddress), NULL when the API sent an empty string.';
COMMENT ON COLUMN "detractor_tickets"."phone_number" IS 'Respondent phone (API phoneNumber), NULL when the API sent an empty string.';
COMMENT ON COLUMN "detractor_tickets"."rating" IS 'NPS score 0-10 (API rating, a string), NULL when the API sent "" (no rating). Detractors are 0-6.';
COMMENT ON COLUMN "detractor_tickets"."comment" IS 'Respondent comment, verbatim (may be empty).';
COMMENT ON COLUMN "detractor_tickets"."created_at" IS 'When the ticket was created (API timestamp, converted exactly from its UTC offset).';
COMMENT ON COLUMN "detractor_tickets"."time_limit_hours" IS 'Hours the team has to close the loop (API timelimit).';
COMMENT ON COLUMN "detractor_tickets"."due_at" IS 'created_at + time_limit_hours: when the ticket is due.';
COMMENT ON COLUMN "detractor_tickets"."status" IS 'Status code of the list the ticket is in now (the request''s status filter, see detractor_ticket_statuses).';
COMMENT ON COLUMN "detractor_tickets"."first_seen_at" IS 'When a sync first stored the ticket.';
COMMENT ON COLUMN "detractor_tickets"."last_seen_at" IS 'When a sync last saw the ticket, refreshed at most hourly for unchanged tickets (see README).';
COMMENT ON COLUMN "detractor_tickets"."updated_at" IS 'When a source field (anything but the *_seen_at and sync columns) last changed.';
COMMENT ON COLUMN "detractor_tickets"."last_request_id" IS 'QuestionPro requestID of the response that last wrote the row (quote it to QuestionPro support).';
COMMENT ON COLUMN "detractor_tickets"."last_run_id" IS 'sync_runs.id of the run that last wrote the row.';
COMMENT ON COLUMN "detractor_tickets"."raw" IS 'The ticket record exactly as received (JSON), for forensics.';

COMMENT ON TABLE "detractor_ticket_segments" IS 'Which (segment, status) lists each ticket has been seen in. A ticket may be in several segments.';
COMMENT ON COLUMN "detractor_ticket_segments"."segment_id" IS 'QuestionPro segmentID of the list.';
COMMENT ON COLUMN "detractor_ticket_segments"."status" IS 'Status code of the list (the request''s status filter).';
COMMENT ON COLUMN "detractor_ticket_segments"."ticket_id" IS 'detractor_tickets.ticket_id.';
COMMENT ON COLUMN "detractor_ticket_segments"."first_seen_at" IS 'When a sync first saw the ticket in this list.';
COMMENT ON COLUMN "detractor_ticket_segments"."last_seen_at" IS 'When a sync last saw the ticket in this list, refreshed at most hourly while unchanged.';
COMMENT ON COLUMN "detractor_ticket_segments"."gone_at" IS 'When a verified-complete sync of this list no longer contained the ticket (e.g. closed), NULL while it is in the list.';

COMMENT ON TABLE "detractor_ticket_versions" IS 'History: one row per distinct version of a ticket''s source fields. The current version has valid_to NULL.';
COMMENT ON COLUMN "detractor_ticket_versions"."id" IS 'Surrogate key.';
COMMENT ON COLUMN "detractor_ticket_versions"."ticket_id" IS 'detractor_tickets.ticket_id.';
COMMENT ON COLUMN "detractor_ticket_versions"."valid_from" IS 'When a sync first saw this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."valid_to" IS 'When a sync first saw the next version, NULL for the current one. Valid for valid_from <= t < valid_to.';
COMMENT ON COLUMN "detractor_ticket_versions"."run_id" IS 'sync_runs.id of the run that saw this version first.';
COMMENT ON COLUMN "detractor_ticket_versions"."response_id" IS 'As detractor_tickets.response_id, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."email_address" IS 'As detractor_tickets.email_address, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."phone_number" IS 'As detractor_tickets.phone_number, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."rating" IS 'As detractor_tickets.rating, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."comment" IS 'As detractor_tickets.comment, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."created_at" IS 'As detractor_tickets.created_at, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."time_limit_hours" IS 'As detractor_tickets.time_limit_hours, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."due_at" IS 'As detractor_tickets.due_at, in this version.';
COMMENT ON COLUMN "detractor_ticket_versions"."status" IS 'As detractor_tickets.status, in this version: a status change starts a new version.';

COMMENT ON TABLE "detractor_ticket_statuses" IS 'What each ticket status code means. QuestionPro does not publish them, 0 (open) is seeded, add your own. Only is_open statuses count as open in the views.';
COMMENT ON COLUMN "detractor_ticket_statuses"."status" IS 'Status code as used in the API request.';
COMMENT ON COLUMN "detractor_ticket_statuses"."label" IS 'Human-readable name.';
COMMENT ON COLUMN "detractor_ticket_statuses"."is_open" IS 'Whether tickets in lists of this status are open (awaiting action).';

COMMENT ON TABLE "sync_runs" IS 'One row per sync run of the worker (cron tick, CLI, start-up, demo, benchmark).';
COMMENT ON COLUMN "sync_runs"."id" IS 'Run id.';
COMMENT ON COLUMN "sync_runs"."trigger" IS 'What started the run: cron, cli, startup, demo or bench.';
COMMENT ON COLUMN "sync_runs"."started_at" IS 'When the run started.';
COMMENT ON COLUMN "sync_runs"."finished_at" IS 'When the run ended, NULL while running.';
COMMENT ON COLUMN "sync_runs"."status" IS 'running, succeeded (every list), partial (some lists failed or did not settle), failed (none succeeded), aborted (shutdown) or abandoned (the worker died).';
COMMENT ON COLUMN "sync_runs"."lists_total" IS 'Number of (segment, status) lists in the run.';
COMMENT ON COLUMN "sync_runs"."lists_failed" IS 'Lists that did not succeed (skips because a replica had them do not count).';
COMMENT ON COLUMN "sync_runs"."pages" IS 'API pages fetched, all passes included.';
COMMENT ON COLUMN "sync_runs"."tickets_seen" IS 'Sum over lists of distinct tickets read.';
COMMENT ON COLUMN "sync_runs"."tickets_inserted" IS 'Tickets stored for the first time.';
COMMENT ON COLUMN "sync_runs"."tickets_updated" IS 'Tickets whose source fields changed.';
COMMENT ON COLUMN "sync_runs"."tickets_unchanged" IS 'Tickets read without change.';
COMMENT ON COLUMN "sync_runs"."tickets_rejected" IS 'Records quarantined in sync_rejects.';
COMMENT ON COLUMN "sync_runs"."error_code" IS 'Why the run ended early (e.g. API_UNAUTHORIZED, API_QUOTA_EXHAUSTED, ABORTED, RUN_ABANDONED), NULL otherwise.';
COMMENT ON COLUMN "sync_runs"."error_message" IS 'Readable message for error_code, with the API''s requestID when there is one.';
COMMENT ON COLUMN "sync_runs"."hostname" IS 'Host of the worker that ran it.';
COMMENT ON COLUMN "sync_runs"."pid" IS 'Process id of the worker that ran it.';

COMMENT ON TABLE "sync_run_segments" IS 'The outcome of one (segment, status) list within a sync run.';
COMMENT ON COLUMN "sync_run_segments"."id" IS 'Surrogate key.';
COMMENT ON COLUMN "sync_run_segments"."run_id" IS 'sync_runs.id.';
COMMENT ON COLUMN "sync_run_segments"."segment_id" IS 'QuestionPro segmentID.';
COMMENT ON COLUMN "sync_run_segments"."status" IS 'Status code of the list.';
COMMENT ON COLUMN "sync_run_segments"."outcome" IS 'running, succeeded, partial (did not settle), failed, skipped (see error_code) or aborted.';
COMMENT ON COLUMN "sync_run_segments"."started_at" IS 'When the list started.';
COMMENT ON COLUMN "sync_run_segments"."finished_at" IS 'When the list ended, NULL while running.';
COMMENT ON COLUMN "sync_run_segments"."pages" IS 'API pages fetched, all passes included.';
COMMENT ON COLUMN "sync_run_segments"."tickets_seen" IS 'Distinct tickets in the last pass.';
COMMENT ON COLUMN "sync_run_segments"."tickets_inserted" IS 'Tickets stored for the first time.';
COMMENT ON COLUMN "sync_run_segments"."tickets_updated" IS 'Tickets whose source fields changed.';
COMMENT ON COLUMN "sync_run_segments"."tickets_unchanged" IS 'Tickets read without change.';
COMMENT ON COLUMN "sync_run_segments"."tickets_rejected" IS 'Records quarantined in sync_rejects.';
COMMENT ON COLUMN "sync_run_segments"."total_items" IS 'The API''s pagination.totalItems on the last page read.';
COMMENT ON COLUMN "sync_run_segments"."api_retries" IS 'API calls retried after a transient failure.';
COMMENT ON COLUMN "sync_run_segments"."passes" IS 'Reads of the whole list (a second identical read confirms it held still).';
COMMENT ON COLUMN "sync_run_segments"."settled" IS 'Whether a pass read the list as one consistent snapshot, NULL when the list failed before.';
COMMENT ON COLUMN "sync_run_segments"."tickets_gone" IS 'Memberships marked gone (tickets that left this list).';
COMMENT ON COLUMN "sync_run_segments"."tickets_returned" IS 'Memberships that had been gone and are back in the list.';
COMMENT ON COLUMN "sync_run_segments"."error_code" IS 'Why the list did not succeed (API_NOT_FOUND, API_HTTP_500, LIST_UNSETTLED, LIST_LOCKED, ...), NULL on success.';
COMMENT ON COLUMN "sync_run_segments"."error_message" IS 'Readable message: HTTP status, the API''s error name, id and message, requestID.';
COMMENT ON COLUMN "sync_run_segments"."error_http_status" IS 'HTTP status of the failed API call, if any.';
COMMENT ON COLUMN "sync_run_segments"."error_api_id" IS 'The API''s error id (e.g. 1010 for a wrong key), if any.';
COMMENT ON COLUMN "sync_run_segments"."error_request_id" IS 'requestID of the failed API call: quote it to QuestionPro support.';

COMMENT ON TABLE "sync_rejects" IS 'Records that failed validation, quarantined instead of stored, the rest of their page was stored.';
COMMENT ON COLUMN "sync_rejects"."id" IS 'Surrogate key.';
COMMENT ON COLUMN "sync_rejects"."run_id" IS 'sync_runs.id.';
COMMENT ON COLUMN "sync_rejects"."segment_id" IS 'Segment of the list it came from.';
COMMENT ON COLUMN "sync_rejects"."status" IS 'Status of the list it came from.';
COMMENT ON COLUMN "sync_rejects"."page" IS 'Page number it came from.';
COMMENT ON COLUMN "sync_rejects"."request_id" IS 'requestID of the API response that carried it.';
COMMENT ON COLUMN "sync_rejects"."ticket_id" IS 'Its ticketID when usable, NULL when that was the problem.';
COMMENT ON COLUMN "sync_rejects"."reason" IS 'What was wrong, naming the field.';
COMMENT ON COLUMN "sync_rejects"."raw" IS 'The record as received (JSON).';
COMMENT ON COLUMN "sync_rejects"."rejected_at" IS 'When it was quarantined.';


COMMENT ON VIEW "v_open_detractor_tickets" IS 'Open tickets: one row per segment and ticket currently in an open list (see detractor_ticket_statuses), with due-date figures computed at query time. A ticket open in two segments appears twice: count DISTINCT ticket_id across segments.';
COMMENT ON COLUMN "v_open_detractor_tickets"."segment_id" IS 'Segment whose open list holds the ticket.';
COMMENT ON COLUMN "v_open_detractor_tickets"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_open_detractor_tickets"."response_id" IS 'QuestionPro responseID.';
COMMENT ON COLUMN "v_open_detractor_tickets"."status" IS 'Status code of the open list.';
COMMENT ON COLUMN "v_open_detractor_tickets"."status_label" IS 'detractor_ticket_statuses.label.';
COMMENT ON COLUMN "v_open_detractor_tickets"."rating" IS 'NPS score 0-10, NULL when not given.';
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

COMMENT ON VIEW "v_detractor_tickets_daily" IS 'Per UTC day of creation and segment: new tickets, rating mean and distribution, and how many are still open / overdue now.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."day" IS 'Day the tickets were created, in UTC.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."segment_id" IS 'Segment the tickets were seen in.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."new_tickets" IS 'Tickets created that day.';
COMMENT ON COLUMN "v_detractor_tickets_daily"."mean_rating" IS 'Mean NPS score of the rated ones (2 decimals), NULL when none was rated.';
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

COMMENT ON VIEW "v_ticket_sla" IS 'Per ticket that has been in an open list: when it was created and first seen, when it left the open lists (from gone_at), and whether that was before due_at.';
COMMENT ON COLUMN "v_ticket_sla"."ticket_id" IS 'QuestionPro ticketID.';
COMMENT ON COLUMN "v_ticket_sla"."segment_ids" IS 'Segments whose open lists held the ticket.';
COMMENT ON COLUMN "v_ticket_sla"."created_at" IS 'When the ticket was created.';
COMMENT ON COLUMN "v_ticket_sla"."first_seen_at" IS 'When a sync first stored the ticket.';
COMMENT ON COLUMN "v_ticket_sla"."due_at" IS 'When the ticket is due.';
COMMENT ON COLUMN "v_ticket_sla"."time_limit_hours" IS 'Hours allowed to close the loop.';
COMMENT ON COLUMN "v_ticket_sla"."left_open_at" IS 'When the ticket left its last open list (a sync found it gone), NULL while still open.';
COMMENT ON COLUMN "v_ticket_sla"."closed_before_due" IS 'left_open_at <= due_at, NULL while still open. Accurate to the sync interval.';
COMMENT ON COLUMN "v_ticket_sla"."hours_open" IS 'Hours from created_at to left_open_at (or to now while open).';
COMMENT ON COLUMN "v_ticket_sla"."sla_state" IS 'open, open_overdue, closed_in_time or closed_late.';

COMMENT ON VIEW "v_sync_health" IS 'Per segment and status: is the data fresh? Last successful sync and its age, the last attempt and the last error.';
COMMENT ON COLUMN "v_sync_health"."segment_id" IS 'QuestionPro segmentID.';
COMMENT ON COLUMN "v_sync_health"."status" IS 'Status code of the list.';
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
