import type pg from "pg";
import { requireAccountability } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { badRequest, conflict } from "@/lib/errors";
import { NON_TERMINAL, transitionUpload, type UploadStatus } from "./transition";

/**
 * D8 §7.1: an operator fails a stuck upload. A compare-and-set from the status the operator saw, so a
 * worker that moved it meanwhile wins and the operator is told; a worker that wakes up later finds the
 * upload failed and can change nothing. Staging rows are preserved. There is no force-promote (D10-10).
 */
export async function forceFailUpload(
  pool: pg.Pool,
  actor: Actor,
  input: { uploadId: string; expectedStatus: UploadStatus; reason?: string | null; incidentId?: string | null },
) {
  const target = { type: "upload", id: input.uploadId };
  await requireAccountability(pool, actor, "upload.force_fail", target, input);
  if (!NON_TERMINAL.includes(input.expectedStatus)) throw badRequest(`A ${input.expectedStatus} upload is already finished.`, "ALREADY_TERMINAL");
  return withTransaction(pool, async (client) => {
    const text = `Force-failed by ${actor.email}: ${input.reason!.trim()}`;
    const prev = await transitionUpload(client, {
      uploadId: input.uploadId,
      from: input.expectedStatus,
      to: "failed",
      actor: actor.email,
      reason: input.reason,
      incidentId: input.incidentId,
      release: true,
      set: { error_code: "FORCE_FAILED", error_text: text },
    });
    if (!prev) {
      const now = await client.query<{ status: string }>(`SELECT status FROM uploads WHERE id = $1`, [input.uploadId]);
      throw conflict(
        now.rows[0] ? `The upload is now ${now.rows[0].status}, not ${input.expectedStatus}; reload and decide again.` : "Upload not found.",
        "STALE_STATUS",
      );
    }
    await recordAudit(client, {
      actor,
      action: "upload.force_fail",
      targetType: "upload",
      targetId: input.uploadId,
      reason: input.reason,
      incidentId: input.incidentId,
      before: { status: prev },
      after: { status: "failed", errorCode: "FORCE_FAILED" },
      outcome: "ok",
    });
    return { id: input.uploadId, status: "failed" as const, previous: prev };
  });
}
