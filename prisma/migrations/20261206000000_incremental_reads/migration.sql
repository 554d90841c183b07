-- Incremental reads: what a full read learns about a list (the order the server serves
-- it in, the page size it really serves) is recorded with the list's run record and
-- kept in sync_lists, where the next runs plan a cheap head probe from it. New columns
-- are nullable, so a replica of the previous release keeps writing its records as before.
ALTER TABLE "sync_run_segments"
    ADD COLUMN "read_mode" TEXT,
    ADD COLUMN "served_order" TEXT,
    ADD COLUMN "served_per_page" INTEGER,
    ADD COLUMN "needs_full_read" BOOLEAN;

ALTER TABLE "sync_lists"
    ADD COLUMN "served_order" TEXT,
    ADD COLUMN "served_per_page" INTEGER,
    ADD COLUMN "needs_full_read" BOOLEAN,
    ADD COLUMN "last_full_read_at" TIMESTAMPTZ(6),
    ADD COLUMN "last_full_read_run_id" BIGINT;

CREATE OR REPLACE FUNCTION "detractor_sync_record_list_state"() RETURNS trigger
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
        -- What a record did not learn (NULL: a probe, a failed read, an older replica) stays as it was.
        UPDATE sync_lists SET last_attempt_at = NEW.finished_at, last_attempt_id = NEW.id, last_outcome = NEW.outcome,
                              last_total_items = coalesce(NEW.total_items, last_total_items),
                              served_order = coalesce(NEW.served_order, served_order),
                              served_per_page = coalesce(NEW.served_per_page, served_per_page),
                              needs_full_read = coalesce(NEW.needs_full_read, needs_full_read),
                              updated_at = now()
        WHERE segment_id = NEW.segment_id AND status = NEW.status;
    END IF;
    IF NEW.outcome = 'succeeded' THEN
        UPDATE sync_lists SET last_success_at = greatest(last_success_at, NEW.finished_at),
                              last_verified_at = CASE WHEN NEW.verified THEN greatest(last_verified_at, NEW.finished_at)
                                                      ELSE last_verified_at END,
                              last_full_read_at = CASE WHEN NEW.read_mode = 'full' THEN greatest(last_full_read_at, NEW.finished_at)
                                                       ELSE last_full_read_at END,
                              last_full_read_run_id = CASE WHEN NEW.read_mode = 'full' THEN greatest(last_full_read_run_id, NEW.run_id)
                                                           ELSE last_full_read_run_id END,
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

-- The spending of an API key in its current budget period, one row per key: keyed by
-- the key alone, so two deployments sharing a key share it, and a changed budget
-- setting (period, start day, time zone) moves the period's bounds over the same calls
-- (counted again from the ledger) instead of opening a fresh budget.
CREATE TABLE "api_call_budgets" (
    "key_fingerprint" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(6) NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "api_call_budgets_pkey" PRIMARY KEY ("key_fingerprint")
);

-- The claim (see the api_budget migration), its budget now checked against
-- api_call_budgets. api_call_periods is still counted, for readers of the previous release.
CREATE OR REPLACE FUNCTION "detractor_sync_claim_api_call"(
    fp TEXT, per_minute INTEGER, window_ms INTEGER, budget INTEGER, tz TEXT, period TEXT, start_day INTEGER)
RETURNS TABLE (granted BOOLEAN, wait_ms INTEGER, reason TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
    now_ts TIMESTAMPTZ := clock_timestamp();
    this_period TIMESTAMPTZ;
    held_start TIMESTAMPTZ;
    used_in_period INTEGER;
    used_in_window INTEGER;
    oldest TIMESTAMPTZ;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('detractor-sync:api-calls:' || fp, 0));
    SELECT b.period_start INTO this_period FROM detractor_sync_budget_period(tz, period, start_day, now_ts) b;
    SELECT c.period_start, c.calls INTO held_start, used_in_period FROM api_call_budgets c WHERE c.key_fingerprint = fp;
    IF held_start IS DISTINCT FROM this_period THEN
        -- A new period, or other bounds for this one: its calls so far, from the ledger.
        SELECT coalesce(sum(l.calls), 0) INTO used_in_period FROM api_call_ledger l
        WHERE l.key_fingerprint = fp AND l.outcome = 'sent' AND l.minute >= this_period;
        INSERT INTO api_call_budgets AS c VALUES (fp, this_period, used_in_period)
        ON CONFLICT (key_fingerprint) DO UPDATE SET period_start = excluded.period_start, calls = excluded.calls;
    END IF;
    IF budget IS NOT NULL AND used_in_period >= budget THEN
        RETURN QUERY SELECT false, NULL::INTEGER, 'budget'::TEXT;
        RETURN;
    END IF;
    IF per_minute IS NOT NULL THEN
        SELECT coalesce(sum(s.calls), 0), min(s.second) INTO used_in_window, oldest FROM api_rate_slots s
        WHERE s.key_fingerprint = fp AND s.second > now_ts - window_ms * interval '1 millisecond';
        IF used_in_window >= per_minute THEN
            RETURN QUERY SELECT false,
                greatest(1, ceil(extract(epoch FROM oldest + window_ms * interval '1 millisecond' - now_ts) * 1000))::INTEGER,
                'rate'::TEXT;
            RETURN;
        END IF;
        INSERT INTO api_rate_slots AS s VALUES (fp, date_trunc('second', now_ts), 1)
        ON CONFLICT (key_fingerprint, second) DO UPDATE SET calls = s.calls + 1;
        DELETE FROM api_rate_slots s WHERE s.key_fingerprint = fp AND s.second < now_ts - interval '1 hour';
    END IF;
    INSERT INTO api_call_ledger AS l VALUES (fp, date_trunc('minute', now_ts), 'sent', 1)
    ON CONFLICT (key_fingerprint, minute, outcome) DO UPDATE SET calls = l.calls + 1;
    UPDATE api_call_budgets SET calls = calls + 1 WHERE key_fingerprint = fp;
    INSERT INTO api_call_periods AS p VALUES (fp, this_period, 1)
    ON CONFLICT (key_fingerprint, period_start) DO UPDATE SET calls = p.calls + 1;
    RETURN QUERY SELECT true, 0, NULL::TEXT;
END
$fn$;

COMMENT ON COLUMN "sync_run_segments"."read_mode" IS 'How the run read the list: probe (page 1, and pages found by bisection when the list shrank) or full (every page; verified when it matched the database or two reads agreed). NULL before incremental reads.';
COMMENT ON COLUMN "sync_run_segments"."served_order" IS 'What a full read learnt of the order the server serves the list in: newest_first (ticketIDs falling page after page) or other. NULL: not learnt by this record.';
COMMENT ON COLUMN "sync_run_segments"."served_per_page" IS 'Tickets per page the server served (pagination.perPage of page 1), when the run read one.';
COMMENT ON COLUMN "sync_run_segments"."needs_full_read" IS 'true: a probe found what it cannot explain (or ran out of budget) and the next run must read the list fully; false: a full read cleared that; NULL: unchanged.';
COMMENT ON COLUMN "sync_lists"."served_order" IS 'The order the server serves the list in, as the last full read that could tell learnt it: newest_first (ticketIDs falling page after page: probes possible) or other (full reads only).';
COMMENT ON COLUMN "sync_lists"."served_per_page" IS 'Tickets per page the server serves for the list: planning and page bounds use it.';
COMMENT ON COLUMN "sync_lists"."needs_full_read" IS 'true: the next run reads the list fully (a probe could not explain what it saw).';
COMMENT ON COLUMN "sync_lists"."last_full_read_at" IS 'When a full read of every page last succeeded.';
COMMENT ON COLUMN "sync_lists"."last_full_read_run_id" IS 'The run of that read: records quarantined since are taken as in the list by probes.';
COMMENT ON TABLE "api_call_budgets" IS 'Per API key fingerprint, the calls sent in the budget period now running: what API_CALL_BUDGET is checked against. Keyed by the key alone: deployments sharing a key share it, and a changed budget setting recounts the same calls.';
COMMENT ON COLUMN "api_call_budgets"."key_fingerprint" IS 'As api_call_ledger.key_fingerprint.';
COMMENT ON COLUMN "api_call_budgets"."period_start" IS 'Start of the period the count is for (API_BUDGET_PERIOD, API_BUDGET_PERIOD_START_DAY, SYNC_TIMEZONE as last claimed).';
COMMENT ON COLUMN "api_call_budgets"."calls" IS 'Calls sent in that period by every process using the key.';
