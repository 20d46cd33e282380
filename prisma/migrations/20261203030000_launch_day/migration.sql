-- CreateTable
CREATE TABLE "launch_ticks" (
    "id" BIGSERIAL NOT NULL,
    "item" TEXT NOT NULL,
    "checked" BOOLEAN NOT NULL,
    "by_email" TEXT NOT NULL,
    "by_id" UUID,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "launch_ticks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "launch_decisions" (
    "id" BIGSERIAL NOT NULL,
    "decision" TEXT NOT NULL,
    "decided_by" TEXT NOT NULL,
    "decided_by_id" UUID,
    "reason" TEXT NOT NULL,
    "launch_time" TEXT,
    "checklist" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "launch_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "launch_ticks_item_id_idx" ON "launch_ticks"("item", "id");
