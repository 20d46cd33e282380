import type pg from "pg";
import { INSTANCE_ID } from "@/lib/instance";
import { log } from "@/lib/log";

export type WorkerName = "parse" | "promote" | "cleanup" | "monitor";
export type RunResult = { items: number; outcome?: "ok" | "skipped" | "error"; [key: string]: unknown };

/**
 * Records a worker run (start, end, duration, items, the backlog waiting when it started, outcome) so
 * that "finished fast" and "did nothing while work was waiting" are visible in the data (WT-06).
 */
export async function recordWorkerRun(pool: pg.Pool, worker: WorkerName, backlog: number, work: () => Promise<RunResult>) {
  const started = new Date();
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO worker_runs (worker, instance, started_at, backlog, outcome) VALUES ($1, $2, $3, $4, 'running') RETURNING id`,
    [worker, INSTANCE_ID, started, backlog],
  );
  let result: RunResult;
  try {
    result = await work();
  } catch (error) {
    result = { items: 0, outcome: "error", error: error instanceof Error ? error.message : String(error) };
    log.error("worker.failed", { worker, error: result.error });
  }
  const durationMs = Date.now() - started.getTime();
  const outcome = result.outcome ?? "ok";
  await pool.query(`UPDATE worker_runs SET finished_at = now(), duration_ms = $2, items = $3, outcome = $4, summary = $5 WHERE id = $1`, [
    rows[0].id,
    durationMs,
    result.items,
    outcome,
    JSON.stringify(result),
  ]);
  return { worker, runId: Number(rows[0].id), durationMs, backlog, ...result, outcome };
}
