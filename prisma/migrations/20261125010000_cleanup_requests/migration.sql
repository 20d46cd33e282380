-- CreateEnum
CREATE TYPE "CleanupStatus" AS ENUM ('requested', 'approved', 'done', 'rejected');

-- CreateTable
CREATE TABLE "cleanup_requests" (
    "id" UUID NOT NULL,
    "upload_ids" UUID[],
    "preview" JSONB NOT NULL,
    "preview_rows" INTEGER NOT NULL,
    "status" "CleanupStatus" NOT NULL DEFAULT 'requested',
    "reason" TEXT NOT NULL,
    "incident_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "deleted_rows" INTEGER NOT NULL DEFAULT 0,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "cleanup_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "cleanup_requests_status_requested_at_idx" ON "cleanup_requests"("status", "requested_at");

