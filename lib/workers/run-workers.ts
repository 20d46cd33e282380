import { isCircuitOpen } from "@/lib/breakers/circuit-breaker";
import { getBreaker, workerBreakerName } from "@/lib/breakers/registry";
import { readControls, workerBlockedReason, type Worker } from "@/lib/controls/controls";
import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { countWaiting } from "@/lib/ingestion/claim-upload";
import { runCleanupWorker } from "@/lib/ingestion/cleanup-staging";
import { runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import type { UploadStatus } from "@/lib/uploads/transition";
import { sampleReadiness } from "@/lib/signals/readiness-samples";
import { runMonitor } from "./run-monitor";
import { fileStore } from "@/lib/storage";
import { recordWorkerRun, type RunResult } from "./record-run";
import { shutdownSignal, shuttingDown, trackWork } from "./shutdown";

const WAITING: Record<Worker, UploadStatus[]> = { parse: ["pending", "processing"], promote: ["staged", "promoting"], cleanup: [] };

/** A dependency whose breaker refuses calls: the worker would only fail on it, so it does not start. */
async function dependencyRefusal(worker: Worker): Promise<string | null> {
  if (worker !== "parse") return null;
  const store = await getBreaker("file-store").isRefusing();
  return store.refusing ? `file-store circuit breaker is ${store.snapshot.state}${store.retryAt ? ` until ${store.retryAt.toISOString()}` : ""}` : null;
}

/** A run the worker's own breaker refused, recorded when the database takes it (it may be what is failing). */
async function refusedRun(worker: Worker, reason: string) {
  const result = { items: 0, outcome: "skipped" as const, reason };
  return recordWorkerRun(pool(), worker, 0, async () => result).catch(() => ({ worker, runId: null, durationMs: 0, backlog: 0, ...result }));
}

/**
 * Runs one worker once, recorded in worker_runs, behind the worker's circuit breaker (its database
 * calls): a halted or frozen worker, or one whose breaker is open, does nothing and says why.
 */
function runGated(worker: Worker, work: () => Promise<RunResult>) {
  // A process that is shutting down starts no run (a cron call then does nothing and says why).
  if (shuttingDown())
    return Promise.resolve({ worker, runId: null, durationMs: 0, backlog: 0, items: 0, outcome: "skipped" as const, reason: "instance shutting down" });
  return trackWork(() => runGatedNow(worker, work));
}

async function runGatedNow(worker: Worker, work: () => Promise<RunResult>) {
  try {
    return await getBreaker(workerBreakerName(worker)).run(
      async () => {
        const backlog = WAITING[worker].length ? await countWaiting(pool(), WAITING[worker]) : 0;
        return recordWorkerRun(pool(), worker, backlog, async () => {
          const blocked = workerBlockedReason(await readControls(pool()), worker) ?? (await dependencyRefusal(worker));
          return blocked ? { items: 0, outcome: "skipped", reason: blocked } : work();
        });
      },
      { isFailure: (run) => (run.outcome === "error" ? `run failed: ${String((run as Record<string, unknown>).error)}` : null) },
    );
  } catch (error) {
    if (isCircuitOpen(error)) return refusedRun(worker, error.message);
    throw error;
  }
}

export const runParse = () => runGated("parse", () => runParseWorker(pool(), fileStore(), { signal: shutdownSignal() }));
export const runPromote = () => runGated("promote", () => runPromoteWorker(pool(), { signal: shutdownSignal() }));
export const runCleanup = () => runGated("cleanup", () => runCleanupWorker(pool(), { retentionHours: env().STAGING_RETENTION_HOURS }));
/**
 * The monitor is never gated: it must keep watching while ingestion is halted or a breaker is open.
 * Readiness is sampled first, so a minute in which the database was unreachable is still recorded.
 */
export function runMonitorTick() {
  return trackWork(monitorOnce);
}

async function monitorOnce() {
  const readiness = await sampleReadiness(pool());
  const run = await recordWorkerRun(pool(), "monitor", 0, () => runMonitor(pool()));
  return { ...run, readiness };
}
