import type pg from "pg";
import { readControls, workerBlockedReason } from "@/lib/controls/controls";
import { log } from "@/lib/log";
import { deleteStagingBatch, maintainStagingPartitions, stagingBloat } from "@/lib/uploads/staging-rows";

/**
 * The cleanup worker: keeps today's and tomorrow's staging partitions ready and drops each older one
 * once all its uploads are done and past the retention (no vacuum needed afterwards). Only where a
 * day's partition must stay for another upload (a partial or failed one keeps its rows, D10-02) are
 * the completed uploads' rows deleted, in bounded batches. Bloat is reported, not deleted.
 */
export async function runCleanupWorker(pool: pg.Pool, options: { retentionHours: number; batchSize?: number; budgetMs?: number }) {
  const blocked = workerBlockedReason(await readControls(pool), "cleanup");
  if (blocked) return { items: 0, outcome: "skipped" as const, reason: blocked, bloat: await stagingBloat(pool) };
  const started = Date.now();
  const partitions = await maintainStagingPartitions(pool, options.retentionHours).catch((error) => {
    // e.g. the drop's lock wait timed out behind a parse batch: the next run tries again
    log.warn("cleanup.partitions_failed", { error: String(error) });
    return { created: 0, dropped: [] as string[], released: 0 };
  });
  let deleted = 0;
  const uploads = new Set<string>();
  while (Date.now() - started < (options.budgetMs ?? 10_000)) {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM uploads
        WHERE status = 'completed' AND staged_rows > 0 AND completed_at < now() - make_interval(secs => $1 * 3600)
          AND staging_day(created_at) < staging_day(now()) - 1
        ORDER BY completed_at LIMIT 1`,
      [options.retentionHours],
    );
    if (!rows[0]) break;
    const n = await deleteStagingBatch(pool, rows[0].id, ["completed"], options.batchSize ?? 50_000);
    if (n === 0) break;
    deleted += n;
    uploads.add(rows[0].id);
  }
  return { items: deleted + partitions.released, uploads: [...uploads], partitions, bloat: await stagingBloat(pool) };
}
