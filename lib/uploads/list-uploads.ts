import type pg from "pg";
import { z } from "zod";
import { Filter } from "@/lib/db/filter";
import type { UploadsRow } from "@/lib/db/rows";
import { UPLOAD_STATUSES } from "./transition";

/** A row of the list: the upload's columns it shows, and its workspace's slug. */
type ListedRow = Pick<
  UploadsRow,
  | "id"
  | "status"
  | "platform"
  | "source"
  | "file_name"
  | "size_bytes"
  | "total_rows"
  | "valid_rows"
  | "invalid_rows"
  | "ignored_rows"
  | "promoted_rows"
  | "error_code"
  | "created_at"
  | "updated_at"
> & { workspace: string };

const SORTS = { created: "u.created_at", file: "u.file_name", status: "u.status", rows: "u.total_rows", workspace: "w.slug" } as const;

export const uploadFiltersSchema = z.object({
  status: z.enum(UPLOAD_STATUSES).optional(),
  workspace: z.string().trim().min(1).optional(),
  platform: z.enum(["meta", "google", "tiktok"]).optional(),
  source: z.enum(["manual", "api", "scheduled"]).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS]).default("created"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(10).max(200).default(50),
});
export type UploadFilters = z.infer<typeof uploadFiltersSchema>;

/** Reads filters from URL search params; empty values mean "no filter". */
export function parseUploadFilters(params: URLSearchParams | Record<string, string | string[] | undefined>): UploadFilters {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]);
  return uploadFiltersSchema.parse(Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== "")));
}

/** The WHERE clause of a filtered uploads list (over `uploads u JOIN workspaces w`); bulk actions select with it too. */
export function uploadsFilter(filters: Omit<UploadFilters, "sort" | "dir" | "page" | "pageSize">): Filter {
  return new Filter()
    .where((p) => `u.status = ${p}::"UploadStatus"`, filters.status)
    .where((p) => `w.slug = ${p}`, filters.workspace)
    .where((p) => `u.platform = ${p}::"Platform"`, filters.platform)
    .where((p) => `u.source = ${p}::"UploadSource"`, filters.source)
    .where((p) => `u.created_at >= ${p}::date`, filters.from)
    .where((p) => `u.created_at < ${p}::date + 1`, filters.to)
    .contains("u.file_name", filters.q);
}

export async function listUploads(pool: pg.Pool, filters: UploadFilters) {
  const filter = uploadsFilter(filters);
  const order = `${SORTS[filters.sort]} ${filters.dir === "asc" ? "ASC" : "DESC"}, u.id`;
  const offset = (filters.page - 1) * filters.pageSize;
  const [rows, count] = await Promise.all([
    pool.query<ListedRow>(
      `SELECT u.id, u.status, w.slug AS workspace, u.platform, u.source, u.file_name, u.size_bytes, u.total_rows, u.valid_rows, u.invalid_rows,
              u.ignored_rows, u.promoted_rows, u.error_code, u.created_at, u.updated_at
         FROM uploads u JOIN workspaces w ON w.id = u.workspace_id ${filter.clause}
        ORDER BY ${order} LIMIT ${filters.pageSize} OFFSET ${offset}`,
      filter.params,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM uploads u JOIN workspaces w ON w.id = u.workspace_id ${filter.clause}`, filter.params),
  ]);
  return {
    total: count.rows[0].n,
    page: filters.page,
    pageSize: filters.pageSize,
    uploads: rows.rows.map((r) => ({
      id: r.id,
      status: r.status,
      workspace: r.workspace,
      platform: r.platform,
      source: r.source,
      fileName: r.file_name,
      sizeBytes: Number(r.size_bytes),
      totalRows: r.total_rows,
      validRows: r.valid_rows,
      invalidRows: r.invalid_rows,
      ignoredRows: r.ignored_rows,
      promotedRows: r.promoted_rows,
      errorCode: r.error_code,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    })),
  };
}

export type UploadList = Awaited<ReturnType<typeof listUploads>>;
