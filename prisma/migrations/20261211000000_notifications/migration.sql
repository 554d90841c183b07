-- What a person was last told, per kind of event and subject (a list, the key's allowance,
-- a budget period): one message per change of state, however many processes sync. A
-- process claims a change with one statement (the row lock decides between replicas),
-- delivers it, then records it as told; a delivery that fails gives the claim back, so the
-- next run tells again. A new table: nothing an older replica reads changes.
CREATE TABLE "sync_notifications" (
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "notified_state" TEXT NOT NULL,
    "notified_at" TIMESTAMPTZ(6),
    "pending_state" TEXT,
    "claim_token" TEXT,
    "claimed_until" TIMESTAMPTZ(6),
    "failed_deliveries" INTEGER NOT NULL DEFAULT 0,
    "last_failure_at" TIMESTAMPTZ(6),
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_notifications_pkey" PRIMARY KEY ("kind", "subject")
);

COMMENT ON TABLE "sync_notifications" IS 'Changes of state told through NOTIFY_WEBHOOK_URL: per kind of event and subject, the state last told and the claim of a message being delivered. Internal bookkeeping.';
COMMENT ON COLUMN "sync_notifications"."kind" IS 'What is watched: list_health (a list failing or not), list_freshness (a list stale or not), budget_forecast.';
COMMENT ON COLUMN "sync_notifications"."subject" IS 'Which one: a list as "<segment>/<status>", or a budget period''s first day.';
COMMENT ON COLUMN "sync_notifications"."notified_state" IS 'The state a person was last told of (or the quiet state, e.g. ok, before any message).';
COMMENT ON COLUMN "sync_notifications"."notified_at" IS 'When that message was delivered; NULL before any.';
COMMENT ON COLUMN "sync_notifications"."pending_state" IS 'The state a process is telling now (claimed), NULL when none is.';
COMMENT ON COLUMN "sync_notifications"."claim_token" IS 'Which delivery holds the claim.';
COMMENT ON COLUMN "sync_notifications"."claimed_until" IS 'When the claim lapses: a process that died while delivering does not block the message for good.';
COMMENT ON COLUMN "sync_notifications"."failed_deliveries" IS 'Deliveries that finally failed (retries spent): each is tried again at the next run.';
COMMENT ON COLUMN "sync_notifications"."last_failure_at" IS 'When the last of them failed.';
COMMENT ON COLUMN "sync_notifications"."updated_at" IS 'When the row was last written.';
