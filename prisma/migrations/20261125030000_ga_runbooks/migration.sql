-- CreateEnum
CREATE TYPE "GaLine" AS ENUM ('eng_lead', 'pm', 'sre_lead');

-- CreateEnum
CREATE TYPE "GaVote" AS ENUM ('approve', 'defer');

-- CreateEnum
CREATE TYPE "GaStatus" AS ENUM ('open', 'approved', 'deferred');

-- CreateEnum
CREATE TYPE "RunbookExecutionStatus" AS ENUM ('open', 'resolved', 'escalated', 'aborted');

-- CreateEnum
CREATE TYPE "RunbookStepResult" AS ENUM ('ok', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "ga_signoffs" (
    "id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "figures" JSONB NOT NULL,
    "figures_hash" TEXT NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "checklist" JSONB,
    "checklist_by" TEXT,
    "checklist_at" TIMESTAMPTZ(3),
    "status" "GaStatus" NOT NULL DEFAULT 'open',
    "decision_reason" TEXT,
    "re_review_on" DATE,
    "decided_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "ga_signoffs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ga_signatures" (
    "signoff_id" UUID NOT NULL,
    "line" "GaLine" NOT NULL,
    "signer_id" UUID,
    "signer_email" TEXT NOT NULL,
    "signer_name" TEXT,
    "vote" "GaVote" NOT NULL,
    "note" TEXT,
    "figures_hash" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ga_signatures_pkey" PRIMARY KEY ("signoff_id","line")
);

-- CreateTable
CREATE TABLE "runbook_executions" (
    "id" UUID NOT NULL,
    "runbook" TEXT NOT NULL,
    "runbook_title" TEXT NOT NULL,
    "runbook_version" TEXT NOT NULL,
    "alert_id" UUID,
    "incident_id" TEXT NOT NULL,
    "started_by" TEXT NOT NULL,
    "started_by_id" UUID,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "RunbookExecutionStatus" NOT NULL DEFAULT 'open',
    "closed_by" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "closing_note" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "runbook_executions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runbook_step_records" (
    "id" BIGSERIAL NOT NULL,
    "execution_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "section" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "result" "RunbookStepResult" NOT NULL,
    "note" TEXT,
    "recorded_by" TEXT NOT NULL,
    "recorded_by_id" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "runbook_step_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postmortems" (
    "incident_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "what_happened" TEXT NOT NULL DEFAULT '',
    "why" TEXT NOT NULL DEFAULT '',
    "what_changed" TEXT NOT NULL DEFAULT '',
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "postmortems_pkey" PRIMARY KEY ("incident_id")
);

-- CreateIndex
CREATE INDEX "ga_signoffs_status_created_at_idx" ON "ga_signoffs"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "ga_signatures_signoff_id_signer_email_key" ON "ga_signatures"("signoff_id", "signer_email");

-- CreateIndex
CREATE INDEX "runbook_executions_status_started_at_idx" ON "runbook_executions"("status", "started_at");

-- CreateIndex
CREATE INDEX "runbook_executions_runbook_started_at_idx" ON "runbook_executions"("runbook", "started_at");

-- CreateIndex
CREATE INDEX "runbook_executions_incident_id_idx" ON "runbook_executions"("incident_id");

-- CreateIndex
CREATE INDEX "runbook_executions_started_at_idx" ON "runbook_executions"("started_at");

-- CreateIndex
CREATE INDEX "runbook_step_records_execution_id_id_idx" ON "runbook_step_records"("execution_id", "id");

-- CreateIndex
CREATE INDEX "runbook_step_records_recorded_at_idx" ON "runbook_step_records"("recorded_at");

-- AddForeignKey
ALTER TABLE "ga_signatures" ADD CONSTRAINT "ga_signatures_signoff_id_fkey" FOREIGN KEY ("signoff_id") REFERENCES "ga_signoffs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runbook_step_records" ADD CONSTRAINT "runbook_step_records_execution_id_fkey" FOREIGN KEY ("execution_id") REFERENCES "runbook_executions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written below the generated part (functions and triggers are not in schema.prisma).
-- A signed GA record never changes: signatures and runbook step results are append-only, a decided form
-- is immutable, and the figures and checklist of a form are frozen from its first signature on.
-- (Prisma's migration runner splits on semicolons, so the function bodies spell them as \073.)
CREATE FUNCTION refuse_update_delete() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN RAISE EXCEPTION ''% is append-only (% refused)'', TG_TABLE_NAME, TG_OP\073 END\073';

CREATE TRIGGER ga_signatures_append_only BEFORE UPDATE OR DELETE ON "ga_signatures" FOR EACH ROW EXECUTE FUNCTION refuse_update_delete();

CREATE TRIGGER runbook_step_records_append_only BEFORE UPDATE OR DELETE ON "runbook_step_records" FOR EACH ROW EXECUTE FUNCTION refuse_update_delete();

CREATE FUNCTION ga_signoff_frozen() RETURNS trigger LANGUAGE plpgsql AS E'BEGIN
  IF OLD.status <> ''open'' THEN
    RAISE EXCEPTION ''GA sign-off % is decided (%) and cannot change'', OLD.id, OLD.status\073
  END IF\073
  IF (NEW.figures IS DISTINCT FROM OLD.figures OR NEW.figures_hash IS DISTINCT FROM OLD.figures_hash
      OR NEW.window_start IS DISTINCT FROM OLD.window_start OR NEW.window_end IS DISTINCT FROM OLD.window_end
      OR NEW.checklist IS DISTINCT FROM OLD.checklist)
     AND EXISTS (SELECT 1 FROM ga_signatures s WHERE s.signoff_id = OLD.id) THEN
    RAISE EXCEPTION ''GA sign-off % has signatures: its figures and checklist are frozen'', OLD.id\073
  END IF\073
  RETURN NEW\073
END\073';

CREATE TRIGGER ga_signoffs_frozen BEFORE UPDATE ON "ga_signoffs" FOR EACH ROW EXECUTE FUNCTION ga_signoff_frozen();
