-- AlterTable
ALTER TABLE "detractor_ticket_segments" ADD COLUMN     "gone_at" TIMESTAMPTZ(6);

-- AlterTable
ALTER TABLE "sync_run_segments" ADD COLUMN     "passes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "settled" BOOLEAN,
ADD COLUMN     "tickets_gone" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tickets_returned" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "detractor_ticket_segments_segment_id_status_gone_at_idx" ON "detractor_ticket_segments"("segment_id", "status", "gone_at");
