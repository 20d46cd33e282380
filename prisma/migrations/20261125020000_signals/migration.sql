-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('info', 'warning', 'page', 'critical');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('open', 'acknowledged', 'resolved');

-- CreateEnum
CREATE TYPE "AlertOutcome" AS ENUM ('fixed', 'expected', 'false_positive');

-- CreateEnum
CREATE TYPE "BreakerState" AS ENUM ('CLOSED', 'OPEN', 'HALF_OPEN');

-- CreateTable
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "signal" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "active_fingerprint" TEXT,
    "scenario" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "owner_role" "Role" NOT NULL,
    "runbook" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "value" DOUBLE PRECISION,
    "opened_value" DOUBLE PRECISION,
    "workspace_id" UUID,
    "upload_id" UUID,
    "status" "AlertStatus" NOT NULL DEFAULT 'open',
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "escalated_at" TIMESTAMPTZ(3),
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,
    "outcome" "AlertOutcome",
    "outcome_at" TIMESTAMPTZ(3),
    "outcome_by" TEXT,
    "open_notified_at" TIMESTAMPTZ(3),
    "escalation_notified_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_notes" (
    "id" BIGSERIAL NOT NULL,
    "alert_id" UUID NOT NULL,
    "author" TEXT NOT NULL,
    "author_id" UUID,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partial_reviews" (
    "upload_id" UUID NOT NULL,
    "acknowledged_by" TEXT NOT NULL,
    "acknowledged_by_id" UUID,
    "acknowledged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "note" TEXT,

    CONSTRAINT "partial_reviews_pkey" PRIMARY KEY ("upload_id")
);

-- CreateTable
CREATE TABLE "circuit_breakers" (
    "name" TEXT NOT NULL,
    "state" "BreakerState" NOT NULL DEFAULT 'CLOSED',
    "failure_count" INTEGER NOT NULL DEFAULT 0,
    "window_started_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_failure_at" TIMESTAMPTZ(3),
    "opened_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "probe_started_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "circuit_breakers_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "circuit_breaker_events" (
    "id" BIGSERIAL NOT NULL,
    "breaker" TEXT NOT NULL,
    "from_state" "BreakerState" NOT NULL,
    "to_state" "BreakerState" NOT NULL,
    "reason" TEXT,
    "failure_count" INTEGER NOT NULL DEFAULT 0,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "circuit_breaker_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "readiness_samples" (
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "failed_check" TEXT,
    "detail" TEXT,
    "instance" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "readiness_samples_pkey" PRIMARY KEY ("minute")
);

-- CreateIndex
CREATE UNIQUE INDEX "alerts_active_fingerprint_key" ON "alerts"("active_fingerprint");

-- CreateIndex
CREATE INDEX "alerts_status_opened_at_idx" ON "alerts"("status", "opened_at");

-- CreateIndex
CREATE INDEX "alerts_fingerprint_opened_at_idx" ON "alerts"("fingerprint", "opened_at");

-- CreateIndex
CREATE INDEX "alerts_workspace_id_opened_at_idx" ON "alerts"("workspace_id", "opened_at");

-- CreateIndex
CREATE INDEX "alert_notes_alert_id_id_idx" ON "alert_notes"("alert_id", "id");

-- CreateIndex
CREATE INDEX "circuit_breaker_events_breaker_id_idx" ON "circuit_breaker_events"("breaker", "id");

-- CreateIndex
CREATE INDEX "circuit_breaker_events_at_idx" ON "circuit_breaker_events"("at");

-- AddForeignKey
ALTER TABLE "alert_notes" ADD CONSTRAINT "alert_notes_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "circuit_breaker_events" ADD CONSTRAINT "circuit_breaker_events_breaker_fkey" FOREIGN KEY ("breaker") REFERENCES "circuit_breakers"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

