/**
 * Rows for the signal, alert and breaker tests, written straight into the real database so that a test
 * can set the exact timestamps and counters a condition needs ("stuck 31 minutes", "ledger off by 3").
 */
import { randomUUID } from "node:crypto";
import { pool } from "@/lib/db/client";
import type { UploadsRow } from "@/lib/db/rows";

/** The columns a test sets; the rest take fixed values in insertUpload. */
export type UploadRow = Omit<
  UploadsRow,
  | "source"
  | "size_bytes"
  | "sha256"
  | "storage_key"
  | "parsed_records"
  | "first_date"
  | "last_date"
  | "attempts"
  | "locked_by"
  | "lease_expires_at"
  | "updated_at"
>;

export async function insertUpload(workspaceId: string, row: Partial<UploadRow> = {}): Promise<UploadRow> {
  const full: UploadRow = {
    id: randomUUID(),
    workspace_id: workspaceId,
    platform: "meta",
    status: "completed",
    file_name: "report.csv",
    total_rows: 0,
    valid_rows: 0,
    invalid_rows: 0,
    ignored_rows: 0,
    promoted_rows: 0,
    staged_rows: 0,
    error_code: null,
    error_text: null,
    rerun_blocked: false,
    created_at: new Date(),
    started_at: null,
    staged_at: null,
    promoting_at: null,
    completed_at: null,
    failed_at: null,
    ...row,
  };
  const columns = Object.keys(full) as (keyof UploadRow)[];
  await pool().query(
    `INSERT INTO uploads (${columns.join(", ")}, source, size_bytes, sha256, storage_key, updated_at)
     VALUES (${columns.map((c, i) => (c === "platform" ? `$${i + 1}::"Platform"` : c === "status" ? `$${i + 1}::"UploadStatus"` : `$${i + 1}`)).join(", ")},
             'api', 1, $${columns.length + 1}, $${columns.length + 2}, now())`,
    [...columns.map((c) => full[c]), randomUUID(), `uploads/${full.id}.csv`],
  );
  return full;
}

/** Uploads created at `at`, `failed` of them failed and the rest completed. */
export async function insertOutcomes(workspaceId: string, at: Date, counts: { completed: number; failed: number }) {
  for (let i = 0; i < counts.completed; i++) await insertUpload(workspaceId, { status: "completed", created_at: at, completed_at: at });
  for (let i = 0; i < counts.failed; i++) await insertUpload(workspaceId, { status: "failed", created_at: at, failed_at: at, error_code: "MISSING_COLUMN" });
}

export async function insertMetric(row: { workspaceId: string; platform?: string; date: string; campaignId?: string; spend: number; uploadId: string }) {
  await pool().query(
    `INSERT INTO metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id)
     VALUES ($1, $2::"Platform", $3, $4, $4, $5, 100, 10, 1, 'USD', $6)
     ON CONFLICT (workspace_id, platform, date, campaign_id) DO UPDATE SET spend = EXCLUDED.spend, upload_id = EXCLUDED.upload_id`,
    [row.workspaceId, row.platform ?? "meta", row.date, row.campaignId ?? "c1", row.spend, row.uploadId],
  );
}

export async function insertWorkerRun(row: { worker: string; startedAt: Date; durationMs: number; items: number; backlog: number; outcome?: string }) {
  await pool().query(
    `INSERT INTO worker_runs (worker, instance, started_at, finished_at, duration_ms, items, backlog, outcome)
     VALUES ($1, 'test', $2, $3, $4, $5, $6, $7)`,
    [row.worker, row.startedAt, new Date(row.startedAt.getTime() + row.durationMs), row.durationMs, row.items, row.backlog, row.outcome ?? "ok"],
  );
}

export const minutesAfter = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
