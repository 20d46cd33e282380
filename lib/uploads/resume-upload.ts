import type pg from "pg";
import { requireAccountability } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { badRequest, conflict, notFound } from "@/lib/errors";
import { log } from "@/lib/log";
import { NON_TERMINAL, type UploadStatus } from "./transition";

export type ResumeInput = {
  uploadId: string;
  /** The status and lease holder the operator saw: the release is a compare-and-set on both. */
  expectedStatus: UploadStatus;
  expectedLockedBy: string | null;
  reason?: string | null;
  incidentId?: string | null;
};

/**
 * D10-10 "resume": releases a stuck upload's lease so that the next worker claims it at once and
 * continues from the last committed checkpoint (instead of waiting for the lease to expire). The status
 * does not change and nothing is promoted by hand. A compare-and-set on the status and the lease holder
 * the operator saw; if the holder is in fact alive, its next batch is refused (its commits are guarded by
 * the lease) and its successor resumes from the same checkpoint, so no row is lost or counted twice.
 */
export async function resumeUpload(pool: pg.Pool, actor: Actor, input: ResumeInput) {
  const target = { type: "upload", id: input.uploadId };
  await requireAccountability(pool, actor, "upload.resume", target, input);
  if (!NON_TERMINAL.includes(input.expectedStatus)) throw badRequest(`A ${input.expectedStatus} upload is already finished.`, "ALREADY_TERMINAL");
  return withTransaction(pool, async (client) => {
    const reason = `Resume: released the lease${input.expectedLockedBy ? ` of ${input.expectedLockedBy}` : " (retry back-off)"} — ${input.reason!.trim()}`;
    const { rows } = await client.query<{ status: UploadStatus; prev_holder: string | null; prev_expiry: Date | null; parsed_records: number }>(
      `WITH old AS (SELECT id, status, locked_by, lease_expires_at FROM uploads WHERE id = $1 FOR UPDATE),
       upd AS (UPDATE uploads u SET locked_by = NULL, lease_expires_at = NULL
                 FROM old
                WHERE u.id = old.id AND old.status = $2::"UploadStatus" AND old.locked_by IS NOT DISTINCT FROM $3
                  AND old.status NOT IN ('completed', 'partial', 'failed')
                  AND (old.locked_by IS NOT NULL OR old.lease_expires_at > now())
            RETURNING u.id, u.status, old.locked_by AS prev_holder, old.lease_expires_at AS prev_expiry, u.parsed_records),
       ev AS (INSERT INTO upload_events (upload_id, from_status, to_status, actor, reason, incident_id)
              SELECT id, status, status, $4, $5, $6 FROM upd)
       SELECT status, prev_holder, prev_expiry, parsed_records FROM upd`,
      [input.uploadId, input.expectedStatus, input.expectedLockedBy, actor.email, reason, input.incidentId],
    );
    const released = rows[0];
    if (!released) throw await whyNotReleased(client, input);
    await recordAudit(client, {
      actor,
      action: "upload.resume",
      targetType: "upload",
      targetId: input.uploadId,
      reason: input.reason,
      incidentId: input.incidentId,
      before: { status: released.status, lockedBy: released.prev_holder, leaseExpiresAt: released.prev_expiry },
      after: { status: released.status, lockedBy: null, leaseExpiresAt: null, resumesFromRecord: released.parsed_records },
      outcome: "ok",
    });
    log.info("upload.lease_released", { uploadId: input.uploadId, status: released.status, previousHolder: released.prev_holder, actor: actor.email });
    return { id: input.uploadId, status: released.status, releasedFrom: released.prev_holder, resumesFromRecord: released.parsed_records };
  });
}

/** The refusal that says what the operator did not see: a new status, another holder, or no lease at all. */
async function whyNotReleased(db: pg.PoolClient, input: ResumeInput) {
  const { rows } = await db.query<{ status: UploadStatus; locked_by: string | null; lease_live: boolean }>(
    `SELECT status, locked_by, COALESCE(lease_expires_at > now(), false) AS lease_live FROM uploads WHERE id = $1`,
    [input.uploadId],
  );
  const now = rows[0];
  if (!now) return notFound("Upload");
  if (now.status !== input.expectedStatus)
    return conflict(`The upload is now ${now.status}, not ${input.expectedStatus}; reload and decide again.`, "STALE_STATUS");
  if (now.locked_by !== input.expectedLockedBy) {
    return conflict(
      `The lease is now held by ${now.locked_by ?? "nobody"}, not ${input.expectedLockedBy ?? "nobody"}; reload and decide again.`,
      "STALE_LEASE",
    );
  }
  return conflict("The upload holds no lease: a worker can claim it already, there is nothing to release.", "NO_LEASE");
}
