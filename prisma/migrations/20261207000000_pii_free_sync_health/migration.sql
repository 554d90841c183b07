-- Error messages quote the API, and an API's message may name a person ("contact
-- jane.doe@example.com +1 555 123 4567"): the run records and the sync health are not
-- free of personal data. The PII-free role reads them through these views instead,
-- with e-mail addresses and phone numbers withheld (the status page and npm run status
-- read them too).
CREATE FUNCTION "detractor_sync_scrub_pii"(message TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT regexp_replace(
             regexp_replace(message, '[^][[:space:]"''<>(),:@]+@[^][[:space:]"''<>(),:@]*', '[e-mail withheld]', 'g'),
             '(?<![[:alnum:]])(?![0-9]{4}-[0-9]{2}-[0-9]{2})[+]?[(]?[0-9]([ ().-]{0,2}[0-9]){6,}(?![[:alnum:]])',
             '[phone withheld]', 'g')
$fn$;

CREATE VIEW "v_sync_health_no_pii" AS
SELECT segment_id, segment_name, status, status_label, last_success_at, last_success_age, last_success_age_seconds,
       last_attempt_at, last_outcome, last_error_at, last_error_code,
       detractor_sync_scrub_pii(last_error_message) AS last_error_message,
       last_error_request_id, tickets_in_list
FROM "v_sync_health";

CREATE VIEW "v_sync_runs_no_pii" AS
SELECT id, trigger, status, started_at, finished_at, lists_total, lists_failed, pages, tickets_seen, tickets_inserted,
       tickets_updated, tickets_unchanged, tickets_rejected, api_calls, error_code,
       detractor_sync_scrub_pii(error_message) AS error_message, hostname, pid
FROM "sync_runs";

-- Every other column means what it means in the relation it comes from: its comment too.
DO $do$
DECLARE
    col RECORD;
BEGIN
    FOR col IN
        SELECT target.relname AS target, a.attname AS name, col_description(source.oid, a.attnum) AS description
        FROM (VALUES ('v_sync_health', 'v_sync_health_no_pii'), ('sync_runs', 'v_sync_runs_no_pii')) AS pair(source, target)
        JOIN pg_class source ON source.relname = pair.source AND source.relnamespace = current_schema()::regnamespace
        JOIN pg_class target ON target.relname = pair.target AND target.relnamespace = current_schema()::regnamespace
        JOIN pg_attribute a ON a.attrelid = source.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_attribute t ON t.attrelid = target.oid AND t.attname = a.attname
        WHERE col_description(source.oid, a.attnum) IS NOT NULL
    LOOP
        EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', col.target, col.name, col.description);
    END LOOP;
END
$do$;

COMMENT ON VIEW "v_sync_health_no_pii" IS 'v_sync_health with e-mail addresses and phone numbers withheld from the error message: for readers without access to personal data.';
COMMENT ON COLUMN "v_sync_health_no_pii"."last_error_message" IS 'The last error message, e-mail addresses and phone numbers replaced by [e-mail withheld] and [phone withheld].';
COMMENT ON VIEW "v_sync_runs_no_pii" IS 'sync_runs with e-mail addresses and phone numbers withheld from the error message: for readers without access to personal data.';
COMMENT ON COLUMN "v_sync_runs_no_pii"."error_message" IS 'The run''s error message, e-mail addresses and phone numbers replaced by [e-mail withheld] and [phone withheld].';
