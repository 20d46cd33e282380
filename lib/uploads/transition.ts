import type { Queryable } from "@/lib/db/sql";
import { WORKER_ALLOWED_SQL, type Worker } from "@/lib/controls/controls";
import { log } from "@/lib/log";

export const UPLOAD_STATUSES = ["pending", "processing", "staged", "promoting", "completed", "partial", "failed"] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];
export const TERMINAL: readonly UploadStatus[] = ["completed", "partial", "failed"];
export const NON_TERMINAL: readonly UploadStatus[] = ["pending", "processing", "staged", "promoting"];

const TIMESTAMP_OF: Partial<Record<UploadStatus, string>> = {
  processing: "started_at",
  staged: "staged_at",
  promoting: "promoting_at",
  completed: "completed_at",
  partial: "completed_at",
  failed: "failed_at",
};

/** Columns a transition may set besides the status (whitelisted: they are interpolated as identifiers). */
const SETTABLE = new Set([
  "error_code",
  "error_text",
  "promoted_rows",
  "rerun_blocked",
  "valid_rows",
  "invalid_rows",
  "staged_rows",
  "locked_by",
  "lease_expires_at",
]);

export type TransitionInput = {
  uploadId: string;
  from: UploadStatus | readonly UploadStatus[];
  to: UploadStatus;
  actor: string;
  reason?: string | null;
  incidentId?: string | null;
  /** A worker's transition: only while it holds an unexpired lease, and only while its controls allow it. */
  worker?: { id: string; kind: Worker };
  /** Release the lease with the transition. */
  release?: boolean;
  set?: Record<string, unknown>;
};

/**
 * The one transition function: a compare-and-set on the expected status, guarded by the worker's lease
 * and the kill switch, writing the upload_events row in the same statement. Returns the previous status,
 * or null when the guard did not hold (someone else changed the upload first, or ingestion is halted).
 */
export async function transitionUpload(db: Queryable, input: TransitionInput): Promise<UploadStatus | null> {
  const from = typeof input.from === "string" ? [input.from] : [...input.from];
  const params: unknown[] = [input.uploadId, from, input.to, input.actor, input.reason ?? null, input.incidentId ?? null];
  // The time of the transition itself, not of its transaction's start (now()): a promotion commits its
  // rows and its `completed` in one transaction, and its duration must show in completed_at − promoting_at.
  const sets = [`status = $3::"UploadStatus"`, `updated_at = at.t`];
  const ts = TIMESTAMP_OF[input.to];
  if (ts) sets.push(`${ts} = at.t`);
  for (const [column, value] of Object.entries(input.set ?? {})) {
    if (!SETTABLE.has(column)) throw new Error(`transitionUpload cannot set ${column}`);
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  if (input.release) sets.push(`locked_by = NULL`, `lease_expires_at = NULL`);
  const guards = [`u.id = old.id`, `old.status = ANY($2::"UploadStatus"[])`];
  if (input.worker) {
    params.push(input.worker.id, input.worker.kind);
    guards.push(`old.locked_by = $${params.length - 1}`, `old.lease_expires_at > now()`, WORKER_ALLOWED_SQL(`$${params.length}`));
  }
  const { rows } = await db.query<{ prev: UploadStatus }>(
    `WITH old AS (SELECT id, status, locked_by, lease_expires_at FROM uploads WHERE id = $1 FOR UPDATE),
     at AS MATERIALIZED (SELECT clock_timestamp() AS t FROM old),
     upd AS (UPDATE uploads u SET ${sets.join(", ")} FROM old, at WHERE ${guards.join(" AND ")} RETURNING u.id, old.status AS prev, at.t),
     ev AS (INSERT INTO upload_events (upload_id, from_status, to_status, actor, reason, incident_id, created_at)
            SELECT id, prev, $3::"UploadStatus", $4, $5, $6, t FROM upd)
     SELECT prev FROM upd`,
    params,
  );
  const prev = rows[0]?.prev ?? null;
  if (prev) log.info("state_change", { uploadId: input.uploadId, from: prev, to: input.to, actor: input.actor, reason: input.reason ?? undefined });
  return prev;
}
