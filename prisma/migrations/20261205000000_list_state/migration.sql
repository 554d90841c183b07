-- Where each list (segment x status) stands now, in one row: the single definition of
-- "last success" (and of the last attempt, verification, error and size) that the
-- planner, /readyz, the metrics, the status page and v_sync_health all read, in
-- O(lists) whatever the age of the history. A trigger on sync_run_segments writes it,
-- in the same transaction as the list's run record: every writer of run records,
-- an older replica included, keeps it current.
CREATE TABLE "sync_lists" (
    "segment_id" BIGINT NOT NULL,
    "status" INTEGER NOT NULL,
    "last_attempt_at" TIMESTAMPTZ(6) NOT NULL,
    "last_attempt_id" BIGINT NOT NULL,
    "last_outcome" TEXT NOT NULL,
    "last_success_at" TIMESTAMPTZ(6),
    "last_verified_at" TIMESTAMPTZ(6),
    "last_error_at" TIMESTAMPTZ(6),
    "last_error_id" BIGINT,
    "last_error_code" TEXT,
    "last_error_message" TEXT,
    "last_error_http_status" INTEGER,
    "last_error_api_id" TEXT,
    "last_error_request_id" TEXT,
    "last_total_items" INTEGER,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_lists_pkey" PRIMARY KEY ("segment_id", "status")
);

-- A finished list record (any outcome but a skip because a replica had the list, which
-- is not an attempt of this list) moves its list's state forward. Records may finish
-- out of order (replicas, concurrent lists): each part of the state only takes a newer
-- record than the one it holds, ordered by (finished_at, id).
CREATE FUNCTION "detractor_sync_record_list_state"() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    held sync_lists%ROWTYPE;
BEGIN
    IF NEW.outcome = 'running' OR NEW.finished_at IS NULL
       OR (NEW.outcome = 'skipped' AND NEW.error_code IN ('LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE')) THEN
        RETURN NULL;
    END IF;
    INSERT INTO sync_lists (segment_id, status, last_attempt_at, last_attempt_id, last_outcome)
    VALUES (NEW.segment_id, NEW.status, NEW.finished_at, NEW.id, NEW.outcome)
    ON CONFLICT (segment_id, status) DO NOTHING;
    -- Locked: two records of one list finishing at once are applied one after the other.
    SELECT * INTO held FROM sync_lists WHERE segment_id = NEW.segment_id AND status = NEW.status FOR UPDATE;
    IF (NEW.finished_at, NEW.id) >= (held.last_attempt_at, held.last_attempt_id) THEN
        UPDATE sync_lists SET last_attempt_at = NEW.finished_at, last_attempt_id = NEW.id, last_outcome = NEW.outcome,
                              last_total_items = coalesce(NEW.total_items, last_total_items), updated_at = now()
        WHERE segment_id = NEW.segment_id AND status = NEW.status;
    END IF;
    IF NEW.outcome = 'succeeded' THEN
        UPDATE sync_lists SET last_success_at = greatest(last_success_at, NEW.finished_at),
                              last_verified_at = CASE WHEN NEW.verified THEN greatest(last_verified_at, NEW.finished_at)
                                                      ELSE last_verified_at END,
                              updated_at = now()
        WHERE segment_id = NEW.segment_id AND status = NEW.status;
    ELSIF held.last_error_id IS NULL OR (NEW.finished_at, NEW.id) > (held.last_error_at, held.last_error_id) THEN
        UPDATE sync_lists SET last_error_at = NEW.finished_at, last_error_id = NEW.id, last_error_code = NEW.error_code,
                              last_error_message = NEW.error_message, last_error_http_status = NEW.error_http_status,
                              last_error_api_id = NEW.error_api_id, last_error_request_id = NEW.error_request_id,
                              updated_at = now()
        WHERE segment_id = NEW.segment_id AND status = NEW.status;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER "sync_run_segments_list_state"
AFTER INSERT OR UPDATE OF outcome, finished_at ON "sync_run_segments"
FOR EACH ROW EXECUTE FUNCTION "detractor_sync_record_list_state"();

-- The history so far, once.
INSERT INTO "sync_lists" (
    segment_id, status, last_attempt_at, last_attempt_id, last_outcome, last_success_at, last_verified_at,
    last_error_at, last_error_id, last_error_code, last_error_message, last_error_http_status, last_error_api_id,
    last_error_request_id, last_total_items)
WITH attempts AS (
    SELECT r.* FROM "sync_run_segments" r
    WHERE r.outcome <> 'running' AND r.finished_at IS NOT NULL
      AND NOT (r.outcome = 'skipped' AND r.error_code IN ('LIST_LOCKED', 'LIST_SYNCED_ELSEWHERE'))
),
latest AS (
    SELECT DISTINCT ON (segment_id, status) segment_id, status, finished_at, id, outcome, total_items
    FROM attempts ORDER BY segment_id, status, finished_at DESC, id DESC
),
last_total AS (
    SELECT DISTINCT ON (segment_id, status) segment_id, status, total_items
    FROM attempts WHERE total_items IS NOT NULL ORDER BY segment_id, status, finished_at DESC, id DESC
),
successes AS (
    SELECT segment_id, status, max(finished_at) AS last_success_at,
           max(finished_at) FILTER (WHERE verified) AS last_verified_at
    FROM attempts WHERE outcome = 'succeeded' GROUP BY segment_id, status
),
last_error AS (
    SELECT DISTINCT ON (segment_id, status) *
    FROM attempts WHERE outcome <> 'succeeded' ORDER BY segment_id, status, finished_at DESC, id DESC
)
SELECT l.segment_id, l.status, l.finished_at, l.id, l.outcome, s.last_success_at, s.last_verified_at,
       e.finished_at, e.id, e.error_code, e.error_message, e.error_http_status, e.error_api_id, e.error_request_id,
       t.total_items
FROM latest l
LEFT JOIN successes s USING (segment_id, status)
LEFT JOIN last_error e USING (segment_id, status)
LEFT JOIN last_total t USING (segment_id, status);

-- The same columns as before (last_success_at came from an aggregate, without precision:
-- the cast keeps its type), read from the list state: O(lists), not O(history).
CREATE OR REPLACE VIEW "v_sync_health" AS
SELECT l.segment_id,
       coalesce(g.name, 'Segment ' || l.segment_id) AS segment_name,
       l.status,
       coalesce(st.label, 'status ' || l.status) AS status_label,
       l.last_success_at::timestamptz AS last_success_at,
       now() - l.last_success_at AS last_success_age,
       round(extract(epoch FROM now() - l.last_success_at))::bigint AS last_success_age_seconds,
       l.last_attempt_at,
       l.last_outcome,
       l.last_error_at,
       l.last_error_code,
       l.last_error_message,
       l.last_error_request_id,
       (SELECT count(*) FROM "detractor_ticket_segments" m
        WHERE m.segment_id = l.segment_id AND m.status = l.status AND m.gone_at IS NULL) AS tickets_in_list
FROM "sync_lists" l
LEFT JOIN "detractor_segments" g ON g.segment_id = l.segment_id
LEFT JOIN "detractor_ticket_statuses" st ON st.status = l.status;

COMMENT ON TABLE "sync_lists" IS 'One row per list (segment x status) the service has attempted: where it stands now. Kept by a trigger on sync_run_segments, in the same transaction as each list record, so it always agrees with the history. v_sync_health reads it.';
COMMENT ON COLUMN "sync_lists"."segment_id" IS 'QuestionPro segmentID.';
COMMENT ON COLUMN "sync_lists"."status" IS 'Ticket status of the list.';
COMMENT ON COLUMN "sync_lists"."last_attempt_at" IS 'When the last attempt to sync the list finished (a skip because another worker had it is not an attempt).';
COMMENT ON COLUMN "sync_lists"."last_attempt_id" IS 'sync_run_segments.id of that attempt.';
COMMENT ON COLUMN "sync_lists"."last_outcome" IS 'Outcome of that attempt (as sync_run_segments.outcome).';
COMMENT ON COLUMN "sync_lists"."last_success_at" IS 'When the list last synced successfully (read once or verified); NULL if never.';
COMMENT ON COLUMN "sync_lists"."last_verified_at" IS 'When the list was last verified (a crawl confirmed complete, closures recorded); NULL if never.';
COMMENT ON COLUMN "sync_lists"."last_error_at" IS 'When the last attempt that did not succeed finished.';
COMMENT ON COLUMN "sync_lists"."last_error_id" IS 'sync_run_segments.id of that attempt.';
COMMENT ON COLUMN "sync_lists"."last_error_code" IS 'Its error code (see sync_run_segments.error_code).';
COMMENT ON COLUMN "sync_lists"."last_error_message" IS 'Its error message, secrets removed (it may quote the API).';
COMMENT ON COLUMN "sync_lists"."last_error_http_status" IS 'Its HTTP status, for API errors.';
COMMENT ON COLUMN "sync_lists"."last_error_api_id" IS 'The API''s error id, for API errors.';
COMMENT ON COLUMN "sync_lists"."last_error_request_id" IS 'The API''s requestID of the failed call: quote it to QuestionPro support.';
COMMENT ON COLUMN "sync_lists"."last_total_items" IS 'totalItems the API announced at the last attempt that read a page: the list''s size, in tickets.';
COMMENT ON COLUMN "sync_lists"."updated_at" IS 'When the row was last written.';
