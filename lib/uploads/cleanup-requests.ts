import type pg from "pg";
import { recordRefusal, refuse, requireAccountability } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import { decide } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/actor";
import { readControls, workerBlockedReason } from "@/lib/controls/controls";
import { withTransaction } from "@/lib/db/sql";
import { AppError, badRequest, conflict, forbidden, notFound } from "@/lib/errors";
import { deleteStagingBatch } from "./staging-rows";
import { TERMINAL } from "./transition";

export type CleanupPreview = { uploads: { id: string; fileName: string; status: string; stagedRows: number; workspace: string }[]; rows: number };

/** Dry run: what a cleanup of these uploads would delete. Only finished uploads' staging can be cleaned. */
export async function previewCleanup(pool: pg.Pool, uploadIds: string[]): Promise<CleanupPreview> {
  const { rows } = await pool.query<{ id: string; file_name: string; status: string; staged_rows: number; slug: string }>(
    `SELECT u.id, u.file_name, u.status, u.staged_rows, w.slug FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.id = ANY($1::uuid[]) ORDER BY u.created_at`,
    [uploadIds],
  );
  if (rows.length !== new Set(uploadIds).size) throw notFound("One of the uploads");
  const active = rows.filter((r) => !TERMINAL.includes(r.status as never));
  if (active.length)
    throw badRequest(
      `Upload ${active[0].id} is ${active[0].status}; only finished uploads' staging can be cleaned up (force-fail it first).`,
      "UPLOAD_IN_FLIGHT",
    );
  const uploads = rows.map((r) => ({ id: r.id, fileName: r.file_name, status: r.status, stagedRows: r.staged_rows, workspace: r.slug }));
  return { uploads, rows: uploads.reduce((n, u) => n + u.stagedRows, 0) };
}

export async function requestCleanup(pool: pg.Pool, actor: Actor, input: { uploadIds: string[]; reason?: string | null; incidentId?: string | null }) {
  const target = { type: "staging", id: input.uploadIds.join(",") };
  await requireAccountability(pool, actor, "cleanup.request", target, input);
  const decision = decide(actor, "cleanup.request");
  if (!decision.allowed) await refuse(pool, actor, "cleanup.request", target, input, forbidden(`Not allowed: ${decision.reason}.`));
  const preview = await previewCleanup(pool, input.uploadIds);
  if (preview.rows === 0) throw badRequest("Those uploads hold no staging rows; nothing to clean up.", "NOTHING_TO_CLEAN");
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO cleanup_requests (id, upload_ids, preview, preview_rows, reason, incident_id, requested_by)
       VALUES (gen_random_uuid(), $1::uuid[], $2, $3, $4, $5, $6) RETURNING id, status`,
      [input.uploadIds, JSON.stringify(preview.uploads), preview.rows, input.reason!.trim(), input.incidentId!.trim(), actor.email],
    );
    await recordAudit(client, {
      actor,
      action: "cleanup.request",
      targetType: "cleanup",
      targetId: rows[0].id,
      reason: input.reason,
      incidentId: input.incidentId,
      after: { uploads: input.uploadIds, rows: preview.rows },
      outcome: "ok",
    });
    return { id: rows[0].id as string, status: "requested" as const, preview };
  });
}

/**
 * A second person approves (self-approval refused) and the deletion runs in the same transaction, in
 * bounded batches each guarded by the upload's finished status and the kill switch: a crash, a halt or
 * a freeze mid-way rolls everything back, so a request is never left "approved" with rows undeleted.
 */
export async function approveCleanup(
  pool: pg.Pool,
  actor: Actor,
  input: { requestId: string; reason?: string | null; incidentId?: string | null },
  batchSize = 50_000,
) {
  const target = { type: "cleanup", id: input.requestId };
  await requireAccountability(pool, actor, "cleanup.approve", target, input);
  try {
    return await withTransaction(pool, async (client) => {
      const request = await client.query<{ requested_by: string; status: string; upload_ids: string[] }>(
        `SELECT requested_by, status, upload_ids FROM cleanup_requests WHERE id = $1 FOR UPDATE`,
        [input.requestId],
      );
      const row = request.rows[0];
      if (!row) throw notFound("Cleanup request");
      const decision = decide(actor, "cleanup.approve");
      if (!decision.allowed) throw forbidden(`Not allowed: ${decision.reason}.`);
      if (row.requested_by === actor.email) throw forbidden("You requested this cleanup; a different person must approve it.", "SELF_APPROVAL");
      if (row.status !== "requested") throw conflict(`This cleanup is already ${row.status}.`, "STALE_CLEANUP");
      const blocked = workerBlockedReason(await readControls(client), "cleanup");
      if (blocked) throw cleanupBlocked(blocked);
      let deleted = 0;
      for (const uploadId of row.upload_ids) {
        for (;;) {
          const n = await deleteStagingBatch(client, uploadId, [...TERMINAL], batchSize);
          deleted += n;
          if (n < batchSize) break;
        }
      }
      // A batch refused by the kill switch (or an upload no longer finished) stops short: keep nothing of it.
      const left = await client.query<{ rows: string }>(`SELECT coalesce(sum(staged_rows), 0) AS rows FROM uploads WHERE id = ANY($1::uuid[])`, [
        row.upload_ids,
      ]);
      if (Number(left.rows[0].rows) > 0)
        throw cleanupBlocked(`${left.rows[0].rows} staging rows could not be deleted (ingestion halted, cleanup frozen or an upload no longer finished)`);
      await client.query(
        `UPDATE cleanup_requests SET status = 'done', decided_by = $2, decided_at = now(), deleted_rows = $3, finished_at = now() WHERE id = $1 AND status = 'requested'`,
        [input.requestId, actor.email, deleted],
      );
      await recordAudit(client, {
        actor,
        action: "cleanup.approve",
        targetType: "cleanup",
        targetId: input.requestId,
        reason: input.reason,
        incidentId: input.incidentId,
        before: { status: "requested", requestedBy: row.requested_by },
        after: { status: "done", deletedRows: deleted },
        outcome: "ok",
      });
      return { id: input.requestId, status: "done" as const, deletedRows: deleted };
    });
  } catch (error) {
    if (error instanceof AppError && (error.status === 403 || error.code === "CLEANUP_BLOCKED"))
      await recordRefusal(pool, actor, "cleanup.approve", target, input, error);
    throw error;
  }
}

function cleanupBlocked(why: string) {
  return conflict(`Cleanup cannot run now: ${why}. Nothing was deleted and the request still awaits approval.`, "CLEANUP_BLOCKED");
}
