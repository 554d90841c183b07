-- CreateTable
CREATE TABLE "detractor_tickets" (
    "ticket_id" BIGINT NOT NULL,
    "response_id" BIGINT NOT NULL,
    "email_address" TEXT,
    "phone_number" TEXT,
    "rating" SMALLINT,
    "comment" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "time_limit_hours" INTEGER NOT NULL,
    "due_at" TIMESTAMPTZ(6) NOT NULL,
    "status" INTEGER NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "last_request_id" TEXT,
    "last_run_id" BIGINT,
    "raw" JSONB NOT NULL,

    CONSTRAINT "detractor_tickets_pkey" PRIMARY KEY ("ticket_id")
);

-- CreateTable
CREATE TABLE "detractor_ticket_segments" (
    "segment_id" BIGINT NOT NULL,
    "status" INTEGER NOT NULL,
    "ticket_id" BIGINT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(6) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "detractor_ticket_segments_pkey" PRIMARY KEY ("segment_id","status","ticket_id")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" BIGSERIAL NOT NULL,
    "trigger" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "status" TEXT NOT NULL DEFAULT 'running',
    "lists_total" INTEGER NOT NULL DEFAULT 0,
    "lists_failed" INTEGER NOT NULL DEFAULT 0,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "tickets_seen" INTEGER NOT NULL DEFAULT 0,
    "tickets_inserted" INTEGER NOT NULL DEFAULT 0,
    "tickets_updated" INTEGER NOT NULL DEFAULT 0,
    "tickets_unchanged" INTEGER NOT NULL DEFAULT 0,
    "tickets_rejected" INTEGER NOT NULL DEFAULT 0,
    "error_code" TEXT,
    "error_message" TEXT,
    "hostname" TEXT,
    "pid" INTEGER,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_run_segments" (
    "id" BIGSERIAL NOT NULL,
    "run_id" BIGINT NOT NULL,
    "segment_id" BIGINT NOT NULL,
    "status" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(6),
    "pages" INTEGER NOT NULL DEFAULT 0,
    "tickets_seen" INTEGER NOT NULL DEFAULT 0,
    "tickets_inserted" INTEGER NOT NULL DEFAULT 0,
    "tickets_updated" INTEGER NOT NULL DEFAULT 0,
    "tickets_unchanged" INTEGER NOT NULL DEFAULT 0,
    "tickets_rejected" INTEGER NOT NULL DEFAULT 0,
    "total_items" INTEGER,
    "api_retries" INTEGER NOT NULL DEFAULT 0,
    "error_code" TEXT,
    "error_message" TEXT,
    "error_http_status" INTEGER,
    "error_api_id" TEXT,
    "error_request_id" TEXT,

    CONSTRAINT "sync_run_segments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_rejects" (
    "id" BIGSERIAL NOT NULL,
    "run_id" BIGINT NOT NULL,
    "segment_id" BIGINT NOT NULL,
    "status" INTEGER NOT NULL,
    "page" INTEGER NOT NULL,
    "request_id" TEXT,
    "ticket_id" BIGINT,
    "reason" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "rejected_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_rejects_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "detractor_tickets_created_at_idx" ON "detractor_tickets"("created_at");

-- CreateIndex
CREATE INDEX "detractor_tickets_due_at_idx" ON "detractor_tickets"("due_at");

-- CreateIndex
CREATE INDEX "detractor_ticket_segments_ticket_id_idx" ON "detractor_ticket_segments"("ticket_id");

-- CreateIndex
CREATE INDEX "sync_runs_started_at_idx" ON "sync_runs"("started_at");

-- CreateIndex
CREATE INDEX "sync_run_segments_segment_id_status_finished_at_idx" ON "sync_run_segments"("segment_id", "status", "finished_at");

-- CreateIndex
CREATE UNIQUE INDEX "sync_run_segments_run_id_segment_id_status_key" ON "sync_run_segments"("run_id", "segment_id", "status");

-- CreateIndex
CREATE INDEX "sync_rejects_run_id_idx" ON "sync_rejects"("run_id");

-- AddForeignKey
ALTER TABLE "detractor_ticket_segments" ADD CONSTRAINT "detractor_ticket_segments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "detractor_tickets"("ticket_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_run_segments" ADD CONSTRAINT "sync_run_segments_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_rejects" ADD CONSTRAINT "sync_rejects_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Value checks Prisma's schema language cannot express (hand-written).
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_status_check"
    CHECK ("status" IN ('running', 'succeeded', 'partial', 'failed', 'aborted', 'abandoned'));
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_trigger_check"
    CHECK ("trigger" IN ('cron', 'cli', 'startup', 'demo', 'bench'));
ALTER TABLE "sync_run_segments" ADD CONSTRAINT "sync_run_segments_outcome_check"
    CHECK ("outcome" IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'aborted'));
ALTER TABLE "detractor_tickets" ADD CONSTRAINT "detractor_tickets_rating_check"
    CHECK ("rating" BETWEEN 0 AND 10);
