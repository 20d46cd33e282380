-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('meta', 'google', 'tiktok');

-- CreateEnum
CREATE TYPE "UploadSource" AS ENUM ('manual', 'api', 'scheduled');

-- CreateEnum
CREATE TYPE "UploadStatus" AS ENUM ('pending', 'processing', 'staged', 'promoting', 'completed', 'partial', 'failed');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'oncall', 'sre_lead', 'ingestion_owner', 'pm', 'support_lead', 'eng_lead', 'admin');

-- CreateEnum
CREATE TYPE "RowPolicy" AS ENUM ('lenient', 'strict');

-- CreateEnum
CREATE TYPE "RowIssueKind" AS ENUM ('invalid', 'ignored');

-- CreateTable
CREATE TABLE "workspaces" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "row_policy" "RowPolicy" NOT NULL DEFAULT 'lenient',
    "default_currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "expected_lag_days" JSONB NOT NULL DEFAULT '{"meta":1,"google":1,"tiktok":1}',
    "skip_weekends" BOOLEAN NOT NULL DEFAULT false,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "paused_by" TEXT,
    "paused_at" TIMESTAMPTZ(3),
    "pause_reason" TEXT,
    "pause_incident_id" TEXT,
    "pause_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "workspaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT 'default',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT,
    "roles" "Role"[],
    "kill_switch_suspended" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "uploads" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "source" "UploadSource" NOT NULL,
    "file_name" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "status" "UploadStatus" NOT NULL DEFAULT 'pending',
    "total_rows" INTEGER NOT NULL DEFAULT 0,
    "valid_rows" INTEGER NOT NULL DEFAULT 0,
    "invalid_rows" INTEGER NOT NULL DEFAULT 0,
    "ignored_rows" INTEGER NOT NULL DEFAULT 0,
    "promoted_rows" INTEGER NOT NULL DEFAULT 0,
    "staged_rows" INTEGER NOT NULL DEFAULT 0,
    "parsed_records" INTEGER NOT NULL DEFAULT 0,
    "error_code" TEXT,
    "error_text" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_by" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "rerun_blocked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "staged_at" TIMESTAMPTZ(3),
    "promoting_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "uploads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upload_events" (
    "id" BIGSERIAL NOT NULL,
    "upload_id" UUID NOT NULL,
    "from_status" "UploadStatus",
    "to_status" "UploadStatus" NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "incident_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upload_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staging_rows" (
    "upload_id" UUID NOT NULL,
    "line_no" INTEGER NOT NULL,
    "date" DATE NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "campaign_name" TEXT NOT NULL,
    "spend" DECIMAL(20,6) NOT NULL,
    "impressions" BIGINT NOT NULL,
    "clicks" BIGINT NOT NULL,
    "conversions" DECIMAL(20,6) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staging_rows_pkey" PRIMARY KEY ("upload_id","line_no")
);

-- CreateTable
CREATE TABLE "row_issues" (
    "upload_id" UUID NOT NULL,
    "line_no" INTEGER NOT NULL,
    "kind" "RowIssueKind" NOT NULL,
    "rule" TEXT NOT NULL,
    "message" TEXT,
    "raw" TEXT,

    CONSTRAINT "row_issues_pkey" PRIMARY KEY ("upload_id","line_no")
);

-- CreateTable
CREATE TABLE "metrics" (
    "workspace_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "date" DATE NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "campaign_name" TEXT NOT NULL,
    "spend" DECIMAL(20,6) NOT NULL,
    "impressions" BIGINT NOT NULL,
    "clicks" BIGINT NOT NULL,
    "conversions" DECIMAL(20,6) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "upload_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metrics_pkey" PRIMARY KEY ("workspace_id","platform","date","campaign_id")
);

-- CreateTable
CREATE TABLE "ingestion_controls" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "set_by" TEXT NOT NULL,
    "set_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT,
    "incident_id" TEXT,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingestion_controls_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_email" TEXT NOT NULL,
    "actor_roles" TEXT[],
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "reason" TEXT,
    "incident_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "outcome" TEXT NOT NULL,
    "refused_reason" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_runs" (
    "id" BIGSERIAL NOT NULL,
    "worker" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,
    "items" INTEGER NOT NULL DEFAULT 0,
    "backlog" INTEGER NOT NULL DEFAULT 0,
    "outcome" TEXT NOT NULL,
    "summary" JSONB,

    CONSTRAINT "worker_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspaces_slug_key" ON "workspaces"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_workspace_id_idx" ON "api_keys"("workspace_id");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "uploads_status_updated_at_idx" ON "uploads"("status", "updated_at");

-- CreateIndex
CREATE INDEX "uploads_created_at_idx" ON "uploads"("created_at");

-- CreateIndex
CREATE INDEX "uploads_workspace_id_created_at_idx" ON "uploads"("workspace_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "uploads_workspace_id_sha256_key" ON "uploads"("workspace_id", "sha256");

-- CreateIndex
CREATE INDEX "upload_events_upload_id_id_idx" ON "upload_events"("upload_id", "id");

-- CreateIndex
CREATE INDEX "upload_events_created_at_idx" ON "upload_events"("created_at");

-- CreateIndex
CREATE INDEX "row_issues_upload_id_kind_rule_idx" ON "row_issues"("upload_id", "kind", "rule");

-- CreateIndex
CREATE INDEX "metrics_upload_id_idx" ON "metrics"("upload_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");

-- CreateIndex
CREATE INDEX "worker_runs_worker_started_at_idx" ON "worker_runs"("worker", "started_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "upload_events" ADD CONSTRAINT "upload_events_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "row_issues" ADD CONSTRAINT "row_issues_upload_id_fkey" FOREIGN KEY ("upload_id") REFERENCES "uploads"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The audit log is append-only: the application never updates or deletes a row, and the database refuses it too.
-- (Prisma's migration runner splits on semicolons, so the function body spells them as \073.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN RAISE EXCEPTION ''audit_log is append-only (% refused)'', TG_OP\073 END\073';

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Controls exist from the first migration so that workers and intake can always read them.
INSERT INTO "ingestion_controls" ("key", "value", "set_by", "reason") VALUES
  ('mode', '{"mode":"running"}', 'migration', 'initial state'),
  ('freeze.parse', '{"frozen":false}', 'migration', 'initial state'),
  ('freeze.promote', '{"frozen":false}', 'migration', 'initial state'),
  ('freeze.cleanup', '{"frozen":false}', 'migration', 'initial state'),
  ('rollout', '{"phase":"P0","allowlist":[]}', 'migration', 'initial state: internal allowlist only');
