-- AlterTable
ALTER TABLE "sync_rejects" ADD COLUMN     "raw_text" TEXT;

-- Hand-written: quarantined rows from before keep their JSON as the text.
UPDATE "sync_rejects" SET "raw_text" = "raw"::text WHERE "raw_text" IS NULL;
ALTER TABLE "sync_rejects" ALTER COLUMN "raw_text" SET NOT NULL;

COMMENT ON COLUMN "sync_rejects"."raw" IS 'The record made storable (JSON): NUL and lone UTF-16 surrogates replaced by U+FFFD, secrets removed.';
COMMENT ON COLUMN "sync_rejects"."raw_text" IS 'The record exactly as received, as JSON text (secrets removed): lossless whatever it held, e.g. integers beyond 2^53 as digits.';

-- Hand-written: one current version per ticket, as an index the page statement probes.
-- Without it the planner, on a table nothing has analyzed yet (a first sync), closes
-- the previous versions with a scan of the whole history for every page: quadratic.
-- Should a ticket have two current versions, all but the latest are closed first.
UPDATE "detractor_ticket_versions" v SET "valid_to" = later."valid_from"
FROM "detractor_ticket_versions" later
WHERE v."valid_to" IS NULL AND later."valid_to" IS NULL AND later."ticket_id" = v."ticket_id"
  AND (later."valid_from", later."id") > (v."valid_from", v."id")
  AND NOT EXISTS (
    SELECT 1 FROM "detractor_ticket_versions" newer
    WHERE newer."ticket_id" = v."ticket_id" AND newer."valid_to" IS NULL
      AND (newer."valid_from", newer."id") > (later."valid_from", later."id"));
CREATE UNIQUE INDEX "detractor_ticket_versions_current_key" ON "detractor_ticket_versions"("ticket_id") WHERE "valid_to" IS NULL;
COMMENT ON INDEX "detractor_ticket_versions_current_key" IS 'At most one current version (valid_to NULL) per ticket.';
