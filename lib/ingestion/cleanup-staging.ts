import type pg from "pg";
import { readControls, workerBlockedReason } from "@/lib/controls/controls";
import { deleteStagingBatch, stagingBloat } from "@/lib/uploads/staging-rows";

/**
 * The cleanup worker: deletes staging rows of completed uploads older than the retention, in bounded
 * batches. Partial, failed and in-flight uploads keep theirs (D10-02); bloat is reported, not deleted.
 */
export async function runCleanupWorker(pool: pg.Pool, options: { retentionHours: number; batchSize?: number; budgetMs?: number }) {
  const blocked = workerBlockedReason(await readControls(pool), "cleanup");
  const bloat = await stagingBloat(pool);
  if (blocked) return { items: 0, outcome: "skipped" as const, reason: blocked, bloat };
  const started = Date.now();
  let deleted = 0;
  const uploads = new Set<string>();
  while (Date.now() - started < (options.budgetMs ?? 10_000)) {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM uploads WHERE status = 'completed' AND staged_rows > 0 AND completed_at < now() - make_interval(secs => $1 * 3600) ORDER BY completed_at LIMIT 1`,
      [options.retentionHours],
    );
    if (!rows[0]) break;
    const n = await deleteStagingBatch(pool, rows[0].id, ["completed"], options.batchSize ?? 50_000);
    if (n === 0) break;
    deleted += n;
    uploads.add(rows[0].id);
  }
  return { items: deleted, uploads: [...uploads], bloat };
}
