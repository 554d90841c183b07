-- Quarantine as state: one sync_rejects row per unstorable record and list, kept up to
-- date each time a run sees the record again, and resolved once it is storable again
-- or has left the list. Until now a row was added at every sighting.
--
-- Expand only: a replica of the previous release, still running, goes on inserting one
-- row per sighting naming only the columns it knows. Its rows get the defaults below (a
-- record seen once, now) and no record_key, so the unique index (partial: keyed rows
-- only) never refuses them; the next verified read of their list resolves them (the
-- keyed row of a record still unstorable carries on).
ALTER TABLE "sync_rejects"
    ADD COLUMN "record_key" TEXT,
    ADD COLUMN "first_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    ADD COLUMN "last_seen_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    ADD COLUMN "times_seen" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "resolved_at" TIMESTAMPTZ(6);

-- The rows so far, folded into one per record and list: the latest sighting kept (the
-- run a previous release's probe looks for is the latest), counted over the runs that
-- saw it. The key as the service computes it: the ticketID, else the SHA-256 of the
-- record's text.
UPDATE "sync_rejects"
SET "record_key" = coalesce("ticket_id"::text, 'sha256:' || encode(sha256(convert_to("raw_text", 'UTF8')), 'hex'));

WITH "sightings" AS (
    SELECT "segment_id", "status", "record_key", max("id") AS "latest", min("rejected_at") AS "first_at",
           max("rejected_at") AS "last_at", count(DISTINCT "run_id")::int AS "runs"
    FROM "sync_rejects" GROUP BY "segment_id", "status", "record_key"
)
UPDATE "sync_rejects" AS r
SET "first_seen_at" = s."first_at", "last_seen_at" = s."last_at", "times_seen" = s."runs", "rejected_at" = s."first_at"
FROM "sightings" AS s
WHERE r."id" = s."latest";

DELETE FROM "sync_rejects" AS r
WHERE EXISTS (
    SELECT 1 FROM "sync_rejects" AS later
    WHERE later."segment_id" = r."segment_id" AND later."status" = r."status"
      AND later."record_key" = r."record_key" AND later."id" > r."id");

-- The upsert key. Inside the migration's transaction CONCURRENTLY is impossible: the
-- build holds a SHARE lock (writes to sync_rejects wait, reads do not) over a table
-- just folded to one row per quarantined record.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX "sync_rejects_record_key" ON "sync_rejects" ("segment_id", "status", "record_key")
WHERE "record_key" IS NOT NULL;

COMMENT ON TABLE "sync_rejects" IS 'Quarantined records: one row per record that could not be stored (failed validation, or the database refused it) and list it was read in, kept up to date while runs keep seeing it; the rest of its page was stored. Open while resolved_at is NULL.';
COMMENT ON COLUMN "sync_rejects"."run_id" IS 'sync_runs.id of the last run that saw the record unstorable.';
COMMENT ON COLUMN "sync_rejects"."page" IS 'Page number it came from, at its last sighting.';
COMMENT ON COLUMN "sync_rejects"."request_id" IS 'requestID of the API response that last carried it.';
COMMENT ON COLUMN "sync_rejects"."reason" IS 'What was wrong at its last sighting, naming the field.';
COMMENT ON COLUMN "sync_rejects"."raw" IS 'The record made storable (JSON), as last seen: NUL and lone UTF-16 surrogates replaced by U+FFFD, secrets removed.';
COMMENT ON COLUMN "sync_rejects"."raw_text" IS 'The record exactly as last received, as JSON text (secrets removed): lossless whatever it held, e.g. integers beyond 2^53 as digits.';
COMMENT ON COLUMN "sync_rejects"."rejected_at" IS 'When it was first quarantined (as first_seen_at; kept for earlier readers).';
COMMENT ON COLUMN "sync_rejects"."record_key" IS 'The record''s identity in its list: its ticketID (digits) when usable, else sha256: and the SHA-256 (hex) of raw_text. NULL only on a row a previous release added during an upgrade.';
COMMENT ON COLUMN "sync_rejects"."first_seen_at" IS 'When a run first found the record unstorable.';
COMMENT ON COLUMN "sync_rejects"."last_seen_at" IS 'When a run last found it unstorable.';
COMMENT ON COLUMN "sync_rejects"."times_seen" IS 'How many runs found it unstorable.';
COMMENT ON COLUMN "sync_rejects"."resolved_at" IS 'When it stopped being quarantined: stored (its ticketID read storable in the list), or gone (a verified full read of the list did not see it). NULL while open; a new sighting reopens the row.';
