-- CreateTable
CREATE TABLE "api_call_ledger" (
    "key_fingerprint" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(6) NOT NULL,
    "outcome" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "api_call_ledger_pkey" PRIMARY KEY ("key_fingerprint","minute","outcome")
);

-- CreateTable
CREATE TABLE "api_call_periods" (
    "key_fingerprint" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(6) NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "api_call_periods_pkey" PRIMARY KEY ("key_fingerprint","period_start")
);

-- CreateTable
CREATE TABLE "api_rate_slots" (
    "key_fingerprint" TEXT NOT NULL,
    "second" TIMESTAMPTZ(6) NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "api_rate_slots_pkey" PRIMARY KEY ("key_fingerprint","second")
);

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "api_calls" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "sync_run_segments" ADD COLUMN     "api_calls" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "verified" BOOLEAN NOT NULL DEFAULT false;

-- Hand-written below: the run status of a run the budget deferred, the shared call
-- claim and the budget period, comments.
ALTER TABLE "sync_runs" DROP CONSTRAINT "sync_runs_status_check";
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_status_check"
    CHECK ("status" IN ('running', 'succeeded', 'partial', 'failed', 'aborted', 'abandoned', 'skipped'));

-- The start and end of the budget period holding an instant: a day, or a month that
-- starts on a billing day, with boundaries at midnight in the given time zone.
CREATE FUNCTION "detractor_sync_budget_period"(tz TEXT, period TEXT, start_day INTEGER, at TIMESTAMPTZ)
RETURNS TABLE (period_start TIMESTAMPTZ, period_end TIMESTAMPTZ)
LANGUAGE sql STABLE AS $fn$
    WITH local AS (SELECT (at AT TIME ZONE tz) AS ts),
    bounds AS (
        SELECT CASE
                   WHEN period = 'day' THEN date_trunc('day', ts)
                   WHEN extract(day FROM ts) >= start_day THEN date_trunc('month', ts) + (start_day - 1) * interval '1 day'
                   ELSE date_trunc('month', ts) - interval '1 month' + (start_day - 1) * interval '1 day'
               END AS local_start
        FROM local)
    SELECT local_start AT TIME ZONE tz,
           (local_start + CASE WHEN period = 'day' THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE tz
    FROM bounds
$fn$;

-- One API call, claimed by any process of any worker sharing the key: refused when the
-- period's budget is spent ('budget'), or when the last window already holds per_minute
-- calls ('rate', with how long to wait), else counted in the ledger and in its budget
-- period (tz, period, start_day: as detractor_sync_budget_period). Claims of one key
-- are serialized by a transaction-level advisory lock, and each query below takes a
-- fresh snapshot after it, so two processes can never both take the last call.
CREATE FUNCTION "detractor_sync_claim_api_call"(
    fp TEXT, per_minute INTEGER, window_ms INTEGER, budget INTEGER, tz TEXT, period TEXT, start_day INTEGER)
RETURNS TABLE (granted BOOLEAN, wait_ms INTEGER, reason TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
    now_ts TIMESTAMPTZ := clock_timestamp();
    this_period TIMESTAMPTZ;
    used_in_period INTEGER;
    used_in_window INTEGER;
    oldest TIMESTAMPTZ;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('detractor-sync:api-calls:' || fp, 0));
    SELECT b.period_start INTO this_period FROM detractor_sync_budget_period(tz, period, start_day, now_ts) b;
    IF budget IS NOT NULL THEN
        SELECT p.calls INTO used_in_period FROM api_call_periods p
        WHERE p.key_fingerprint = fp AND p.period_start = this_period;
        IF coalesce(used_in_period, 0) >= budget THEN
            RETURN QUERY SELECT false, NULL::INTEGER, 'budget'::TEXT;
            RETURN;
        END IF;
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
    INSERT INTO api_call_periods AS p VALUES (fp, this_period, 1)
    ON CONFLICT (key_fingerprint, period_start) DO UPDATE SET calls = p.calls + 1;
    RETURN QUERY SELECT true, 0, NULL::TEXT;
END
$fn$;

COMMENT ON TABLE "api_call_ledger" IS 'Every QuestionPro API call made by any process of this service, per API key fingerprint, minute and outcome: sent (each call, counted as it goes out), then what it got (ok, http_429, network, timeout, ...).';
COMMENT ON COLUMN "api_call_ledger"."key_fingerprint" IS 'First 16 hex digits of the SHA-256 of the API key (never the key).';
COMMENT ON COLUMN "api_call_ledger"."minute" IS 'The minute the calls were made.';
COMMENT ON COLUMN "api_call_ledger"."outcome" IS 'sent: every call, counted before it goes out. Otherwise the answer: ok, http_<status>, network, timeout or invalid-response.';
COMMENT ON COLUMN "api_call_ledger"."calls" IS 'Calls in that minute with that outcome.';
COMMENT ON TABLE "api_call_periods" IS 'API calls sent per API key fingerprint and budget period (API_CALL_BUDGET): what the budget is checked against.';
COMMENT ON COLUMN "api_call_periods"."key_fingerprint" IS 'As api_call_ledger.key_fingerprint.';
COMMENT ON COLUMN "api_call_periods"."period_start" IS 'Start of the budget period (midnight in SYNC_TIMEZONE).';
COMMENT ON COLUMN "api_call_periods"."calls" IS 'Calls sent in that period.';
COMMENT ON TABLE "api_rate_slots" IS 'Calls per API key fingerprint and second over the last hour: the rate limit shared by every process (API_RATE_LIMIT_PER_MIN).';
COMMENT ON COLUMN "api_rate_slots"."key_fingerprint" IS 'As api_call_ledger.key_fingerprint.';
COMMENT ON COLUMN "api_rate_slots"."second" IS 'The second the calls were made.';
COMMENT ON COLUMN "api_rate_slots"."calls" IS 'Calls in that second.';
COMMENT ON COLUMN "sync_runs"."api_calls" IS 'QuestionPro API calls the run made, retries included.';
COMMENT ON COLUMN "sync_runs"."status" IS 'running, succeeded (every list), partial (some lists failed or did not settle), failed (none succeeded), aborted (shutdown), abandoned (the worker died) or skipped (the API call budget deferred every list).';
COMMENT ON COLUMN "sync_run_segments"."api_calls" IS 'QuestionPro API calls made for the list, retries included.';
COMMENT ON COLUMN "sync_run_segments"."verified" IS 'Whether the run verified the list (a crawl confirmed complete, so tickets that left were marked gone). Other runs read it once.';
