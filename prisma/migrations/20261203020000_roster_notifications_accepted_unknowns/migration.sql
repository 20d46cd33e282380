-- Issue 14: the on-call roster and Slack IDs (D10-06), every alert notification with its delivery
-- result, the partial review's ticket (D10-02), and accepted unknowns (D10-04).
-- AlterTable
ALTER TABLE "users" ADD COLUMN     "slack_user_id" TEXT;

-- AlterTable
ALTER TABLE "partial_reviews" ADD COLUMN     "ticket" TEXT;

-- CreateTable
CREATE TABLE "oncall_shifts" (
    "id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "primary_id" UUID NOT NULL,
    "secondary_id" UUID NOT NULL,
    "created_by" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "oncall_shifts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_notifications" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient_email" TEXT,
    "recipient_name" TEXT,
    "message" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "http_status" INTEGER,
    "error" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accepted_unknowns" (
    "id" UUID NOT NULL,
    "incident_id" TEXT,
    "title" TEXT NOT NULL,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "impact" TEXT NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accepted_unknowns_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "oncall_shifts_starts_at_ends_at_idx" ON "oncall_shifts"("starts_at", "ends_at");

-- CreateIndex
CREATE INDEX "alert_notifications_alert_id_id_idx" ON "alert_notifications"("alert_id", "id");

-- CreateIndex
CREATE INDEX "accepted_unknowns_recorded_at_idx" ON "accepted_unknowns"("recorded_at");
