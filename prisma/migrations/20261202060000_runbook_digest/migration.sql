-- AlterTable
ALTER TABLE "runbook_executions" ADD COLUMN     "runbook_digest" TEXT;
