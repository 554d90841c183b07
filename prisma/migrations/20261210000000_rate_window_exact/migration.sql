-- The shared rate window, exact over time. A rate slot holds the calls claimed in one
-- second (api_rate_slots.second is that second's start), and a call made late in its
-- second stays in the server's window up to a second after the slot's start has left
-- ours: a slot now counts until its second has ENDED a window ago
-- (second + 1 s > now - window), and a refused claim waits until then.
--
-- The claim takes its clock as an argument in detractor_sync_claim_api_call_at, so the
-- boundary can be checked at an exact instant; detractor_sync_claim_api_call keeps its
-- signature (a replica of the previous release calls it unchanged) and claims at
-- clock_timestamp(), as before.
CREATE OR REPLACE FUNCTION "detractor_sync_claim_api_call_at"(
    fp TEXT, per_minute INTEGER, window_ms INTEGER, budget INTEGER, tz TEXT, period TEXT, start_day INTEGER,
    now_ts TIMESTAMPTZ)
RETURNS TABLE (granted BOOLEAN, wait_ms INTEGER, reason TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
    this_period TIMESTAMPTZ;
    held_start TIMESTAMPTZ;
    used_in_period INTEGER;
    used_in_window INTEGER;
    oldest TIMESTAMPTZ;
    slot_end_counted_after TIMESTAMPTZ := now_ts - window_ms * interval '1 millisecond';
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
        -- A slot counts while its second's end is inside the window.
        SELECT coalesce(sum(s.calls), 0), min(s.second) INTO used_in_window, oldest FROM api_rate_slots s
        WHERE s.key_fingerprint = fp AND s.second + interval '1 second' > slot_end_counted_after;
        IF used_in_window >= per_minute THEN
            RETURN QUERY SELECT false,
                greatest(1, ceil(extract(epoch FROM oldest + interval '1 second' - slot_end_counted_after) * 1000))::INTEGER,
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

CREATE OR REPLACE FUNCTION "detractor_sync_claim_api_call"(
    fp TEXT, per_minute INTEGER, window_ms INTEGER, budget INTEGER, tz TEXT, period TEXT, start_day INTEGER)
RETURNS TABLE (granted BOOLEAN, wait_ms INTEGER, reason TEXT)
LANGUAGE sql AS $fn$
    SELECT * FROM detractor_sync_claim_api_call_at(fp, per_minute, window_ms, budget, tz, period, start_day, clock_timestamp());
$fn$;

COMMENT ON COLUMN "api_rate_slots"."second" IS 'The second the calls were made (its start): they count in the shared rate window until that second has ended a window ago.';
