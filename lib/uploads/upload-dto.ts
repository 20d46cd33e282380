import { z } from "zod";
import type { UploadsRow } from "@/lib/db/rows";

/** The public shape of an upload (GET /api/v1/uploads/{id} and the 201 of POST); validated on the way out. */
export const uploadDtoSchema = z.object({
  id: z.string(),
  status: z.enum(["pending", "processing", "staged", "promoting", "completed", "partial", "failed"]),
  workspaceId: z.string(),
  platform: z.enum(["meta", "google", "tiktok"]),
  source: z.enum(["manual", "api", "scheduled"]),
  fileName: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  totalRows: z.number(),
  validRows: z.number(),
  invalidRows: z.number(),
  ignoredRows: z.number(),
  promotedRows: z.number(),
  errorCode: z.string().nullable(),
  errorText: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type UploadDto = z.infer<typeof uploadDtoSchema>;

/** The columns of UPLOAD_DTO_COLUMNS. */
type UploadRow = Pick<
  UploadsRow,
  | "id"
  | "status"
  | "workspace_id"
  | "platform"
  | "source"
  | "file_name"
  | "size_bytes"
  | "sha256"
  | "total_rows"
  | "valid_rows"
  | "invalid_rows"
  | "ignored_rows"
  | "promoted_rows"
  | "error_code"
  | "error_text"
  | "created_at"
  | "started_at"
  | "completed_at"
  | "failed_at"
>;

export const UPLOAD_DTO_COLUMNS = `id, status, workspace_id, platform, source, file_name, size_bytes, sha256, total_rows, valid_rows,
  invalid_rows, ignored_rows, promoted_rows, error_code, error_text, created_at, started_at, completed_at, failed_at`;

export function toUploadDto(row: UploadRow): UploadDto {
  return uploadDtoSchema.parse({
    id: row.id,
    status: row.status,
    workspaceId: row.workspace_id,
    platform: row.platform,
    source: row.source,
    fileName: row.file_name,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    totalRows: row.total_rows,
    validRows: row.valid_rows,
    invalidRows: row.invalid_rows,
    ignoredRows: row.ignored_rows,
    promotedRows: row.promoted_rows,
    errorCode: row.error_code,
    errorText: row.error_text,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    // A failed upload is finished too: completedAt says when it reached its terminal state.
    completedAt: (row.completed_at ?? row.failed_at)?.toISOString() ?? null,
  });
}
