import type pg from "pg";
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import type { Queryable } from "@/lib/db/sql";

export const BLOAT_ROWS = 500_000;
export const BLOAT_AGE_DAYS = 7;

export type StagingBloat = { rows: number; oldestAt: Date | null; bloated: boolean; reasons: string[] };

/** D10-08: staging held in total, and the age of the oldest held rows. Read from counters, never count(*). */
export async function stagingBloat(pool: pg.Pool): Promise<StagingBloat> {
  const { rows } = await pool.query<{ rows: string | null; oldest: Date | null }>(
    `SELECT sum(staged_rows) AS rows, min(created_at) AS oldest FROM uploads WHERE staged_rows > 0`,
  );
  const total = Number(rows[0].rows ?? 0);
  const oldestAt = rows[0].oldest;
  const reasons: string[] = [];
  if (total > BLOAT_ROWS) reasons.push(`${total} staging rows (> ${BLOAT_ROWS})`);
  if (oldestAt && Date.now() - oldestAt.getTime() > BLOAT_AGE_DAYS * 86_400_000) reasons.push(`oldest staging rows from ${oldestAt.toISOString()} (> ${BLOAT_AGE_DAYS} days)`);
  return { rows: total, oldestAt, bloated: reasons.length > 0, reasons };
}

/** Deletes up to `limit` staging rows of one upload, guarded by its expected status and the kill switch. */
export async function deleteStagingBatch(pool: Queryable, uploadId: string, statuses: string[], limit: number): Promise<number> {
  const { rows } = await pool.query<{ deleted: string }>(
    `WITH target AS (
       SELECT id FROM uploads WHERE id = $1 AND status = ANY($2::"UploadStatus"[]) AND ${WORKER_ALLOWED_SQL("'cleanup'")} FOR UPDATE),
     gone AS (
       DELETE FROM staging_rows s USING (SELECT s2.line_no FROM staging_rows s2, target WHERE s2.upload_id = target.id LIMIT $3) pick
        WHERE s.upload_id = $1 AND s.line_no = pick.line_no RETURNING 1),
     counted AS (SELECT count(*) AS deleted FROM gone)
     UPDATE uploads u SET staged_rows = u.staged_rows - counted.deleted FROM counted, target WHERE u.id = target.id
     RETURNING counted.deleted`,
    [uploadId, statuses, limit],
  );
  return Number(rows[0]?.deleted ?? 0);
}
