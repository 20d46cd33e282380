import type pg from "pg";
import { z } from "zod";
import { requireAccountability } from "@/lib/audit/accountable";
import type { Actor } from "@/lib/auth/actor";
import { readControls, workerBlockedReason, type Controls } from "@/lib/controls/controls";
import { Filter } from "@/lib/db/filter";
import { AppError, badRequest } from "@/lib/errors";
import { forceFailUpload } from "./force-fail-upload";
import { uploadFiltersSchema, uploadsFilter } from "./list-uploads";
import { resumeUpload } from "./resume-upload";
import { NON_TERMINAL, UPLOAD_STATUSES, type UploadStatus } from "./transition";

/** The most uploads one bulk action takes ("all matching the filter" beyond this is refused, not cut silently). */
export const BULK_LIMIT = 500;

export const BULK_ACTIONS = ["force_fail", "resume", "acknowledge_partial"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

const selectionFilterSchema = uploadFiltersSchema.pick({ status: true, workspace: true, platform: true, source: true, from: true, to: true, q: true });

export const bulkPreviewSchema = z
  .object({
    action: z.enum(BULK_ACTIONS),
    /** Either the uploads ticked by hand… */
    ids: z.array(z.uuid()).min(1).max(BULK_LIMIT).optional(),
    /** …or every upload matching the list's filter. */
    filter: selectionFilterSchema.optional(),
  })
  .refine((v) => (v.ids ? !v.filter : !!v.filter), { message: "Send either ids or filter." });

const expectation = z.object({ id: z.uuid(), expectedStatus: z.enum(UPLOAD_STATUSES), expectedLockedBy: z.string().nullable() });
const accountable = { reason: z.string().trim().max(500).nullish(), incidentId: z.string().trim().max(64).nullish() };
export const bulkOperatorSchema = z.object({ ...accountable, items: z.array(expectation).min(1).max(BULK_LIMIT) });
export const bulkAcknowledgeSchema = z.object({ note: z.string().trim().min(3).max(2000), items: z.array(expectation).min(1).max(BULK_LIMIT) });

type Row = {
  id: string;
  file_name: string;
  workspace: string;
  workspace_paused: boolean;
  status: UploadStatus;
  locked_by: string | null;
  lease_expires_at: Date | null;
  lease_live: boolean;
  idle_seconds: number;
  parsed_records: number;
  total_rows: number;
  staged_rows: number;
  attempts: number;
  acknowledged_by: string | null;
};

export type PlanItem = {
  id: string;
  fileName: string;
  workspace: string;
  status: UploadStatus;
  lockedBy: string | null;
  leaseExpiresAt: string | null;
  /** "apply": the action will change this upload; "skip": it will leave it, and `effect` says why. */
  will: "apply" | "skip";
  effect: string;
  warnings: string[];
  expected: { id: string; expectedStatus: UploadStatus; expectedLockedBy: string | null };
};

const workerFor = (status: UploadStatus) => (status === "pending" || status === "processing" ? "parse" : "promote");

/** What `action` would do to one upload, computed on the server from its current row and the controls. */
export function planFor(action: BulkAction, r: Row, controls: Controls): PlanItem {
  const base = {
    id: r.id,
    fileName: r.file_name,
    workspace: r.workspace,
    status: r.status,
    lockedBy: r.locked_by,
    leaseExpiresAt: r.lease_expires_at?.toISOString() ?? null,
    expected: { id: r.id, expectedStatus: r.status, expectedLockedBy: r.locked_by },
  };
  const skip = (effect: string): PlanItem => ({ ...base, will: "skip", effect, warnings: [] });
  const terminal = !NON_TERMINAL.includes(r.status);
  if (action === "acknowledge_partial") {
    if (r.status !== "partial") return skip(`Not partial (${r.status}): nothing to acknowledge.`);
    if (r.acknowledged_by) return skip(`Already acknowledged by ${r.acknowledged_by}.`);
    return { ...base, will: "apply", effect: "Acknowledges the partial promotion and its alert; staging rows and the re-run block stay.", warnings: [] };
  }
  if (terminal) return skip(`Already ${r.status}: nothing to ${action === "resume" ? "resume" : "fail"}. Nothing is ever promoted by hand (D10-10).`);
  const warnings: string[] = [];
  if (r.lease_live && r.idle_seconds < 30) warnings.push(`Its holder renewed the lease ${r.idle_seconds}s ago: the worker may still be alive.`);
  if (action === "force_fail") {
    return {
      ...base,
      will: "apply",
      effect: `Fails it from ${r.status} (FORCE_FAILED). ${r.staged_rows} staging rows are kept for diagnosis; a worker waking later cannot overwrite it.`,
      warnings,
    };
  }
  if (!r.locked_by && !r.lease_live) return skip("Holds no lease: a worker can claim it already, there is nothing to release.");
  const worker = workerFor(r.status);
  const blocked = workerBlockedReason(controls, worker);
  if (blocked) warnings.push(`No ${worker} worker will claim it while ${blocked}.`);
  if (r.workspace_paused) warnings.push(`Workspace ${r.workspace} is paused: no worker claims it until the pause lifts.`);
  const from =
    worker === "parse" ? `from record ${r.parsed_records.toLocaleString("en-US")} (its last checkpoint)` : "from its staged rows (promotion is idempotent)";
  const holder = r.locked_by ? `the lease of ${r.locked_by}${r.lease_live ? "" : " (expired)"}` : "its retry back-off";
  return {
    ...base,
    will: "apply",
    effect: `Releases ${holder}; the next ${worker} worker claims it at once and resumes ${from}. Attempt ${r.attempts + 1} follows.`,
    warnings,
  };
}

const ROW_SQL = `SELECT u.id, u.file_name, w.slug AS workspace,
         (w.paused AND (w.pause_expires_at IS NULL OR w.pause_expires_at > now())) AS workspace_paused,
         u.status::text AS status, u.locked_by, u.lease_expires_at, COALESCE(u.lease_expires_at > now(), false) AS lease_live,
         GREATEST(0, EXTRACT(EPOCH FROM now() - u.updated_at))::int AS idle_seconds,
         u.parsed_records, u.total_rows, u.staged_rows, u.attempts, pr.acknowledged_by
    FROM uploads u JOIN workspaces w ON w.id = u.workspace_id LEFT JOIN partial_reviews pr ON pr.upload_id = u.id`;

/** The preview of a bulk action: every selected upload with what the action will do to it. Changes nothing. */
export async function previewBulkAction(pool: pg.Pool, input: z.infer<typeof bulkPreviewSchema>) {
  const filter = input.ids ? new Filter().where((p) => `u.id = ANY(${p}::uuid[])`, input.ids) : uploadsFilter(input.filter!);
  const limit = filter.bind(BULK_LIMIT + 1);
  const [{ rows }, controls] = await Promise.all([
    pool.query<Row>(`${ROW_SQL} ${filter.clause} ORDER BY u.created_at, u.id LIMIT ${limit}`, filter.params),
    readControls(pool),
  ]);
  if (rows.length > BULK_LIMIT)
    throw badRequest(`More than ${BULK_LIMIT} uploads match: narrow the filter (one bulk action takes at most ${BULK_LIMIT}).`, "TOO_MANY");
  const items = rows.map((r) => planFor(input.action, r, controls));
  return { action: input.action, items, apply: items.filter((i) => i.will === "apply").length, skip: items.filter((i) => i.will === "skip").length };
}

export type BulkPreview = Awaited<ReturnType<typeof previewBulkAction>>;

export type BulkItem = z.infer<typeof expectation>;
export type BulkOutcome = { id: string; outcome: "done" | "changed" | "skipped"; message: string };

/**
 * Applies an operator action to each upload in turn, each in its own transaction with its own
 * compare-and-set against the state the operator previewed and its own audit entry. An upload that
 * changed meanwhile is reported back as "changed", never overwritten; one failure does not stop the rest.
 */
export async function eachUpload(items: BulkItem[], run: (item: BulkItem) => Promise<string>): Promise<BulkOutcome[]> {
  const results: BulkOutcome[] = [];
  for (const item of items) {
    try {
      results.push({ id: item.id, outcome: "done", message: await run(item) });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      results.push({ id: item.id, outcome: error.status === 409 ? "changed" : "skipped", message: error.message });
    }
  }
  return results;
}

export async function bulkForceFail(pool: pg.Pool, actor: Actor, input: z.infer<typeof bulkOperatorSchema>) {
  await requireAccountability(pool, actor, "upload.force_fail", { type: "upload", id: `bulk:${input.items.length}` }, input);
  return {
    results: await eachUpload(input.items, async (item) => {
      const done = await forceFailUpload(pool, actor, {
        uploadId: item.id,
        expectedStatus: item.expectedStatus,
        reason: input.reason,
        incidentId: input.incidentId,
      });
      return `Failed from ${done.previous}.`;
    }),
  };
}

export async function bulkResume(pool: pg.Pool, actor: Actor, input: z.infer<typeof bulkOperatorSchema>) {
  await requireAccountability(pool, actor, "upload.resume", { type: "upload", id: `bulk:${input.items.length}` }, input);
  return {
    results: await eachUpload(input.items, async (item) => {
      const done = await resumeUpload(pool, actor, { uploadId: item.id, ...item, reason: input.reason, incidentId: input.incidentId });
      return `Lease${done.releasedFrom ? ` of ${done.releasedFrom}` : ""} released; resumes from record ${done.resumesFromRecord}.`;
    }),
  };
}
