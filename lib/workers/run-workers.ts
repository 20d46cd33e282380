import { readControls, workerBlockedReason, type Worker } from "@/lib/controls/controls";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { countWaiting } from "@/lib/ingestion/claim-upload";
import { runCleanupWorker } from "@/lib/ingestion/cleanup-staging";
import { runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import type { UploadStatus } from "@/lib/ingestion/transition";
import { fileStore } from "@/lib/storage";
import { recordWorkerRun, type RunResult } from "./record-run";

const WAITING: Record<Worker, UploadStatus[]> = { parse: ["pending", "processing"], promote: ["staged", "promoting"], cleanup: [] };

/** Runs one worker once, recorded in worker_runs; a halted or frozen worker does nothing and says why. */
async function runGated(worker: Worker, work: () => Promise<RunResult>) {
  const backlog = WAITING[worker].length ? await countWaiting(pool(), WAITING[worker]) : 0;
  return recordWorkerRun(pool(), worker, backlog, async () => {
    const blocked = workerBlockedReason(await readControls(pool()), worker);
    return blocked ? { items: 0, outcome: "skipped", reason: blocked } : work();
  });
}

export const runParse = () => runGated("parse", () => runParseWorker(pool(), fileStore()));
export const runPromote = () => runGated("promote", () => runPromoteWorker(pool()));
export const runCleanup = () => runGated("cleanup", () => runCleanupWorker(pool(), { retentionHours: env().STAGING_RETENTION_HOURS }));
