import type pg from "pg";
import { notFound } from "@/lib/errors";
import { previewBulkAction } from "./bulk-actions";
import { parseUuid } from "@/lib/db/ids";

/** Everything the upload detail page shows: ledger, timeline, issues by rule with samples, lineage. */
export async function uploadDetail(pool: pg.Pool, id: string) {
  parseUuid(id, "Upload");
  const { rows } = await pool.query(
    `SELECT u.*, to_char(u.first_date, 'YYYY-MM-DD') AS first_day, to_char(u.last_date, 'YYYY-MM-DD') AS last_day, w.slug AS workspace, w.row_policy
       FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.id = $1`,
    [id],
  );
  const u = rows[0];
  if (!u) throw notFound("Upload");
  const [events, issues, samples, lineage, lineageCount, resume, forceFail] = await Promise.all([
    pool.query(`SELECT from_status, to_status, actor, reason, incident_id, created_at FROM upload_events WHERE upload_id = $1 ORDER BY id`, [id]),
    pool.query<{ kind: string; rule: string; n: number }>(
      `SELECT kind, rule, count(*)::int AS n FROM row_issues WHERE upload_id = $1 GROUP BY 1, 2 ORDER BY 3 DESC`,
      [id],
    ),
    pool.query(
      `SELECT kind, rule, line_no, message, raw FROM (
         SELECT *, row_number() OVER (PARTITION BY kind, rule ORDER BY line_no) AS rn FROM row_issues WHERE upload_id = $1) t
        WHERE rn <= 5 ORDER BY kind, rule, line_no`,
      [id],
    ),
    pool.query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, campaign_id, campaign_name, spend::text, impressions, clicks FROM metrics WHERE upload_id = $1 ORDER BY date, campaign_id LIMIT 20`,
      [id],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM metrics WHERE upload_id = $1`, [id]),
    previewBulkAction(pool, { action: "resume", ids: [id] }),
    previewBulkAction(pool, { action: "force_fail", ids: [id] }),
  ]);
  const group = (kind: string) =>
    issues.rows
      .filter((r) => r.kind === kind)
      .map((r) => ({
        rule: r.rule,
        count: r.n,
        samples: samples.rows
          .filter((s) => s.kind === kind && s.rule === r.rule)
          .map((s) => ({ lineNo: s.line_no as number, message: s.message as string | null, raw: s.raw as string | null })),
      }));
  return {
    id: u.id as string,
    status: u.status as string,
    workspace: u.workspace as string,
    rowPolicy: u.row_policy as string,
    platform: u.platform as string,
    source: u.source as string,
    fileName: u.file_name as string,
    sizeBytes: Number(u.size_bytes),
    sha256: u.sha256 as string,
    ledger: {
      total: u.total_rows as number,
      valid: u.valid_rows as number,
      invalid: u.invalid_rows as number,
      ignored: u.ignored_rows as number,
      promoted: u.promoted_rows as number,
      staged: u.staged_rows as number,
      balanced: u.total_rows === u.valid_rows + u.invalid_rows + u.ignored_rows,
    },
    /** The days the staged rows cover (null until a valid row is staged). */
    dates: u.first_day ? { first: u.first_day as string, last: u.last_day as string } : null,
    errorCode: u.error_code as string | null,
    errorText: u.error_text as string | null,
    attempts: u.attempts as number,
    parsedRecords: u.parsed_records as number,
    lockedBy: u.locked_by as string | null,
    leaseExpiresAt: u.lease_expires_at as Date | null,
    rerunBlocked: u.rerun_blocked as boolean,
    createdAt: u.created_at as Date,
    updatedAt: u.updated_at as Date,
    completedAt: (u.completed_at ?? u.failed_at) as Date | null,
    timeline: events.rows.map((e) => ({
      from: e.from_status as string | null,
      to: e.to_status as string,
      actor: e.actor as string,
      reason: e.reason as string | null,
      incidentId: e.incident_id as string | null,
      at: e.created_at as Date,
    })),
    invalid: group("invalid"),
    ignored: group("ignored"),
    lineage: { count: lineageCount.rows[0].n, sample: lineage.rows },
    /** What on-call's two decisions (D10-10) would do right now, computed on the server. */
    plans: { resume: resume.items[0], forceFail: forceFail.items[0] },
  };
}

export type UploadDetail = Awaited<ReturnType<typeof uploadDetail>>;
