import type pg from "pg";
import { env } from "@/lib/env";
import { WORKER_ALLOWED_SQL, type Worker } from "@/lib/controls/controls";
import type { UploadStatus } from "@/lib/uploads/transition";

/** A claim lasts this long unless renewed (WORKER_LEASE_SECONDS, 60 by default). */
export const leaseSeconds = () => env().WORKER_LEASE_SECONDS;
export const MAX_ATTEMPTS = 5;

export type ClaimedUpload = {
  id: string;
  workspace_id: string;
  status: UploadStatus;
  platform: "meta" | "google" | "tiktok";
  storage_key: string;
  parsed_records: number;
  valid_rows: number;
  invalid_rows: number;
  attempts: number;
  created_at: Date;
  default_currency: string;
  row_policy: "lenient" | "strict";
};

/**
 * Claims the oldest upload waiting for `worker` (in `ready` or, after a lease expired, in `inFlight`)
 * with FOR UPDATE SKIP LOCKED, and takes a lease on it. Skips paused workspaces, uploads whose re-run is
 * blocked, and claims nothing while the worker is halted or frozen.
 */
export async function claimUpload(
  pool: pg.Pool,
  input: { worker: Worker; workerId: string; ready: UploadStatus; inFlight: UploadStatus },
): Promise<ClaimedUpload | null> {
  const { rows } = await pool.query<ClaimedUpload>(
    `WITH next AS (
       SELECT u.id FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
        WHERE u.status IN ($3::"UploadStatus", $4::"UploadStatus")
          AND (u.lease_expires_at IS NULL OR u.lease_expires_at < now())
          AND NOT u.rerun_blocked
          AND NOT (w.paused AND (w.pause_expires_at IS NULL OR w.pause_expires_at > now()))
          AND ${WORKER_ALLOWED_SQL("$5")}
        ORDER BY u.created_at
        FOR UPDATE OF u SKIP LOCKED
        LIMIT 1)
     UPDATE uploads u SET locked_by = $1, lease_expires_at = now() + make_interval(secs => $2), attempts = u.attempts + 1, updated_at = now()
       FROM next, workspaces w
      WHERE u.id = next.id AND w.id = u.workspace_id
     RETURNING u.id, u.workspace_id, u.status, u.platform, u.storage_key, u.parsed_records, u.valid_rows, u.invalid_rows, u.attempts,
               u.created_at, w.default_currency, w.row_policy`,
    [input.workerId, leaseSeconds(), input.ready, input.inFlight, input.worker],
  );
  return rows[0] ?? null;
}

/**
 * Gives the upload back after a temporary failure: the lease is dropped and the next claim is delayed
 * by an exponential backoff, so a database blip is retried and a poison file is not hammered.
 */
export async function releaseWithBackoff(pool: pg.Pool, uploadId: string, workerId: string, attempts: number) {
  await pool.query(
    `UPDATE uploads SET locked_by = NULL, lease_expires_at = now() + make_interval(secs => $3), updated_at = now() WHERE id = $1 AND locked_by = $2`,
    [uploadId, workerId, Math.min(300, 2 ** attempts)],
  );
}

/** Gives the upload back at once (bounded work done; another call continues from the checkpoint). */
export async function releaseLease(pool: pg.Pool, uploadId: string, workerId: string) {
  await pool.query(`UPDATE uploads SET locked_by = NULL, lease_expires_at = NULL WHERE id = $1 AND locked_by = $2`, [uploadId, workerId]);
}

/**
 * Drops every lease the workers of one process hold (`<instance>:<run>` ids), so another instance
 * resumes at once instead of waiting for expiry. Safe even if one of them is still running: every
 * commit of a worker is guarded by its lease, so its next commit is refused and rolls back.
 */
export async function releaseInstanceLeases(pool: pg.Pool, instanceId: string): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE uploads SET locked_by = NULL, lease_expires_at = NULL WHERE starts_with(locked_by, $1 || ':') AND status NOT IN ('completed', 'partial', 'failed')`,
    [instanceId],
  );
  return rowCount ?? 0;
}

/** How many uploads wait for a worker (for the worker run record). */
export async function countWaiting(pool: pg.Pool, statuses: UploadStatus[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM uploads WHERE status = ANY($1::"UploadStatus"[])`, [statuses]);
  return Number(rows[0].n);
}
