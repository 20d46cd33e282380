import type pg from "pg";
import { incidentIdFormat } from "@/lib/audit/accountable";
import { stagingBloat } from "./staging-rows";

/** The staging backlog by upload (from counters), the bloat verdict, and cleanup requests. */
export async function stagingOverview(pool: pg.Pool) {
  const [bloat, uploads, requests] = await Promise.all([
    stagingBloat(pool),
    pool.query(
      `SELECT u.id, w.slug AS workspace, u.file_name, u.status, u.staged_rows, u.created_at, u.completed_at
         FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.staged_rows > 0 ORDER BY u.created_at LIMIT 200`,
    ),
    pool.query(`SELECT * FROM cleanup_requests ORDER BY requested_at DESC LIMIT 50`),
  ]);
  return {
    bloat,
    uploads: uploads.rows.map((r) => ({
      id: r.id as string,
      workspace: r.workspace as string,
      fileName: r.file_name as string,
      status: r.status as string,
      stagedRows: r.staged_rows as number,
      createdAt: (r.created_at as Date).toISOString(),
      ageHours: (Date.now() - (r.created_at as Date).getTime()) / 3_600_000,
    })),
    requests: requests.rows.map((r) => ({
      id: r.id as string,
      status: r.status as string,
      uploadIds: r.upload_ids as string[],
      preview: r.preview as { id: string; fileName: string; stagedRows: number; workspace: string }[],
      previewRows: r.preview_rows as number,
      reason: r.reason as string,
      incidentId: r.incident_id as string,
      requestedBy: r.requested_by as string,
      requestedAt: (r.requested_at as Date).toISOString(),
      decidedBy: r.decided_by as string | null,
      deletedRows: r.deleted_rows as number,
    })),
    incidentIdFormat: incidentIdFormat(),
  };
}

export type StagingOverview = Awaited<ReturnType<typeof stagingOverview>>;
