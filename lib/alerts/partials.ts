import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { Filter } from "@/lib/db/filter";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { badRequest, conflict, notFound } from "@/lib/errors";
import type { Platform } from "@/lib/ingestion/parse/aliases";
import { fileStore } from "@/lib/storage";
import type { FileStore } from "@/lib/storage/file-store";
import { addAlertNote } from "./alert-actions";
import { toNote, type AlertNote, type AlertStatus } from "./alert-record";
import { partialFiltersSchema, type PartialFilters } from "./alert.schema";
import { partialLosses, type CampaignLoss } from "@/lib/signals/partial-losses";
import { isUuid } from "@/lib/db/ids";
import type { UploadsRow } from "@/lib/db/rows";

const PLATFORM_NAMES: Record<string, string> = { meta: "Meta", google: "Google Ads", tiktok: "TikTok" };
const SAMPLES_PER_RULE = 3;
const MAX_CAMPAIGNS = 200;

export type AffectedCampaign = { campaignId: string; campaignName: string; firstDate: string; lastDate: string; rows: number };
export type InvalidRule = { rule: string; count: number; samples: { lineNo: number; message: string | null; raw: string | null }[] };

export type PartialUpload = {
  uploadId: string;
  workspace: { id: string; slug: string; name: string };
  platform: string;
  fileName: string;
  createdAt: Date;
  completedAt: Date | null;
  totalRows: number;
  validRows: number;
  invalidRows: number;
  ignoredRows: number;
  promotedRows: number;
  /** Staging rows still held for the upload (kept for a partial, D10-02). */
  stagedRows: number;
  rerunBlocked: boolean;
  /** The campaigns and dates the upload loaded, from its staging rows (or, once cleaned, from production lineage). */
  campaigns: AffectedCampaign[];
  /**
   * The campaigns that were NOT fully promoted (D10-02): those with invalid rows, each with the rows
   * lost per rule, sample lines and the dates affected, most rows lost first.
   */
  notFullyPromoted: CampaignLoss[];
  /** Every date on which some campaign lost rows (at most 31). */
  lostDates: string[];
  /** Invalid rows too many to attribute to a campaign (beyond the first 20 000). */
  unattributedRows: number;
  /** Why campaigns could not be read from the invalid rows, when they could not. */
  campaignsProblem: string | null;
  campaignCount: number;
  dates: { first: string | null; last: string | null };
  campaignsFrom: "staging" | "production" | "none";
  invalidByRule: InvalidRule[];
  ignoredByReason: { reason: string; count: number }[];
  review: { acknowledgedBy: string; acknowledgedAt: Date; note: string | null; ticket: string | null } | null;
  alert: { id: string; status: AlertStatus; severity: string; openedAt: Date; version: number } | null;
  notes: AlertNote[];
  /** Plain text for the Support Lead to copy to the client. */
  summary: string;
};

const n = (x: number) => x.toLocaleString("en-US");

const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? "" : "s"}`;
const words = (code: string) => code.replaceAll("_", " ");

function campaignLabel(c: CampaignLoss): string {
  if (c.campaignId && c.campaignName) return `${c.campaignName} (${c.campaignId})`;
  return c.campaignId ?? (c.campaignName ? `${c.campaignName} (no campaign ID)` : "rows whose campaign cannot be read");
}

function datesLabel(c: CampaignLoss): string {
  const listed = c.dates.length ? `${c.dates.length === 1 ? "date" : "dates"} ${c.dates.join(", ")}${c.moreDates ? ` and ${n(c.moreDates)} more` : ""}` : "";
  const unreadable = c.unreadableDates ? `${plural(c.unreadableDates, "row")} with an unreadable date` : "";
  return [listed, unreadable].filter(Boolean).join("; ");
}

/** Plain text for the client: what was loaded, and per campaign what is missing and why. */
export function clientSummary(p: Omit<PartialUpload, "summary" | "review" | "alert" | "notes">): string {
  const dataRows = p.validRows + p.invalidRows;
  const lines = [
    `Upload "${p.fileName}" (${PLATFORM_NAMES[p.platform] ?? p.platform}) for ${p.workspace.name}, received ${p.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Loaded: ${n(p.promotedRows)} of ${n(dataRows)} data rows` +
      (p.campaignCount ? `, covering ${plural(p.campaignCount, "campaign")} from ${p.dates.first} to ${p.dates.last}.` : "."),
    `Not loaded: ${plural(p.invalidRows, "row")}` +
      (p.notFullyPromoted.length
        ? ` in ${plural(p.notFullyPromoted.length, "campaign")}, which ${p.notFullyPromoted.length === 1 ? "is" : "are"} therefore incomplete:`
        : ":"),
  ];
  for (const c of p.notFullyPromoted) {
    const total = c.rowsLoaded + c.rowsLost;
    const count = c.campaignId ? `${n(c.rowsLost)} of ${plural(total, "row")}` : plural(c.rowsLost, "row");
    const when = datesLabel(c);
    lines.push(`  • ${campaignLabel(c)}: ${count} missing${when ? `, ${when}` : ""}`);
    for (const r of c.byRule) {
      const sample = r.samples[0];
      lines.push(`      ${n(r.rows)} × ${words(r.rule)}${sample ? ` — e.g. line ${sample.lineNo}${sample.message ? `: ${sample.message}` : ""}` : ""}`);
    }
  }
  if (!p.notFullyPromoted.length) {
    for (const r of p.invalidByRule) {
      const sample = r.samples[0];
      lines.push(`  • ${n(r.count)} × ${words(r.rule)}${sample ? ` — e.g. line ${sample.lineNo}${sample.message ? `: ${sample.message}` : ""}` : ""}`);
    }
  }
  if (p.unattributedRows) lines.push(`  • and ${plural(p.unattributedRows, "more row")} not broken down by campaign here (see the upload's invalid rows).`);
  const ignored = p.ignoredByReason.reduce((sum, r) => sum + r.count, 0);
  if (ignored)
    lines.push(`Not data (skipped on purpose): ${n(ignored)} line${ignored === 1 ? "" : "s"} (${p.ignoredByReason.map((r) => words(r.reason)).join(", ")}).`);
  lines.push(
    "",
    "What to do: correct the rows listed above and send a new file (the whole report or just the corrected rows). " +
      "Rows already loaded are updated in place, never duplicated.",
  );
  return lines.join("\n");
}

/** The upload columns a partial's description reads, with its workspace's slug and name. */
type PartialUploadRow = UploadsRow & { slug: string; workspace_name: string };

async function describePartial(db: Queryable, store: FileStore, u: PartialUploadRow): Promise<Omit<PartialUpload, "summary" | "review" | "alert" | "notes">> {
  const fromStaging = u.staged_rows > 0;
  const [campaigns, rules, samples, ignored, losses] = await Promise.all([
    db.query<{ campaign_id: string; campaign_name: string; first: string; last: string; rows: number; total: number; first_all: string; last_all: string }>(
      fromStaging
        ? `SELECT campaign_id, max(campaign_name) AS campaign_name, to_char(min(date), 'YYYY-MM-DD') AS first, to_char(max(date), 'YYYY-MM-DD') AS last, count(*)::int AS rows,
                  count(*) OVER ()::int AS total, to_char(min(min(date)) OVER (), 'YYYY-MM-DD') AS first_all, to_char(max(max(date)) OVER (), 'YYYY-MM-DD') AS last_all
             FROM staging_rows WHERE upload_id = $1 GROUP BY campaign_id ORDER BY campaign_id LIMIT ${MAX_CAMPAIGNS}`
        : `SELECT campaign_id, max(campaign_name) AS campaign_name, to_char(min(date), 'YYYY-MM-DD') AS first, to_char(max(date), 'YYYY-MM-DD') AS last, count(*)::int AS rows,
                  count(*) OVER ()::int AS total, to_char(min(min(date)) OVER (), 'YYYY-MM-DD') AS first_all, to_char(max(max(date)) OVER (), 'YYYY-MM-DD') AS last_all
             FROM metrics WHERE upload_id = $1 GROUP BY campaign_id ORDER BY campaign_id LIMIT ${MAX_CAMPAIGNS}`,
      [u.id],
    ),
    db.query<{ rule: string; count: number }>(
      `SELECT rule, count(*)::int AS count FROM row_issues WHERE upload_id = $1 AND kind = 'invalid' GROUP BY rule ORDER BY count DESC, rule`,
      [u.id],
    ),
    db.query<{ rule: string; line_no: number; message: string | null; raw: string | null }>(
      `SELECT rule, line_no, message, raw FROM (
         SELECT rule, line_no, message, left(raw, 500) AS raw, row_number() OVER (PARTITION BY rule ORDER BY line_no) AS k
           FROM row_issues WHERE upload_id = $1 AND kind = 'invalid') s
        WHERE k <= ${SAMPLES_PER_RULE} ORDER BY rule, line_no`,
      [u.id],
    ),
    db.query<{ reason: string; count: number }>(
      `SELECT rule AS reason, count(*)::int AS count FROM row_issues WHERE upload_id = $1 AND kind = 'ignored' GROUP BY rule ORDER BY count DESC`,
      [u.id],
    ),
    partialLosses(db, store, { id: u.id, platform: u.platform as Platform, storageKey: u.storage_key, fromStaging }),
  ]);
  const first = campaigns.rows[0];
  return {
    uploadId: u.id,
    workspace: { id: u.workspace_id, slug: u.slug, name: u.workspace_name },
    platform: u.platform,
    fileName: u.file_name,
    createdAt: u.created_at,
    completedAt: u.completed_at,
    totalRows: u.total_rows,
    validRows: u.valid_rows,
    invalidRows: u.invalid_rows,
    ignoredRows: u.ignored_rows,
    promotedRows: u.promoted_rows,
    stagedRows: u.staged_rows,
    rerunBlocked: u.rerun_blocked,
    campaigns: campaigns.rows.map((c) => ({ campaignId: c.campaign_id, campaignName: c.campaign_name, firstDate: c.first, lastDate: c.last, rows: c.rows })),
    campaignCount: first?.total ?? 0,
    dates: { first: first?.first_all ?? null, last: first?.last_all ?? null },
    campaignsFrom: first ? (fromStaging ? "staging" : "production") : "none",
    notFullyPromoted: losses.campaigns,
    lostDates: losses.dates,
    unattributedRows: losses.unattributed,
    campaignsProblem: losses.headerProblem,
    invalidByRule: rules.rows.map((r) => ({
      rule: r.rule,
      count: r.count,
      samples: samples.rows.filter((s) => s.rule === r.rule).map((s) => ({ lineNo: s.line_no, message: s.message, raw: s.raw })),
    })),
    ignoredByReason: ignored.rows,
  };
}

/**
 * D10-02, for the Support Lead: partial uploads with the campaigns and dates they loaded, the invalid
 * records grouped by rule with sample lines, the review, the alert with its notes, and a client-ready summary.
 */
export async function listPartialUploads(db: Queryable, filters: PartialFilters = {}, store: FileStore = fileStore()): Promise<PartialUpload[]> {
  const f = partialFiltersSchema.parse(filters);
  const filter = new Filter()
    .whereSql(`u.status = 'partial'`)
    .whereSql(f.review === "pending" && `r.upload_id IS NULL`)
    .whereSql(f.review === "reviewed" && `r.upload_id IS NOT NULL`)
    .where((p) => `(w.slug = ${p} OR w.id::text = ${p})`, f.workspace);
  const limit = filter.bind(f.limit);
  const { rows } = await db.query(
    `SELECT u.*, u.platform::text AS platform, w.slug, w.name AS workspace_name,
            r.acknowledged_by, r.acknowledged_at, r.note AS review_note, r.ticket AS review_ticket,
            al.id AS alert_id, al.status::text AS alert_status, al.severity::text AS alert_severity, al.opened_at AS alert_opened_at, al.version AS alert_version
       FROM uploads u
       JOIN workspaces w ON w.id = u.workspace_id
       LEFT JOIN partial_reviews r ON r.upload_id = u.id
       LEFT JOIN LATERAL (SELECT * FROM alerts a WHERE a.fingerprint = 'partial:' || u.id ORDER BY a.opened_at DESC LIMIT 1) al ON true
      ${filter.clause}
      ORDER BY (r.upload_id IS NOT NULL), u.completed_at DESC NULLS LAST LIMIT ${limit}`,
    filter.params,
  );
  const result: PartialUpload[] = [];
  for (const u of rows) {
    const described = await describePartial(db, store, u);
    const notes = u.alert_id ? (await db.query(`SELECT * FROM alert_notes WHERE alert_id = $1 ORDER BY id`, [u.alert_id])).rows.map(toNote) : [];
    result.push({
      ...described,
      review: u.acknowledged_by ? { acknowledgedBy: u.acknowledged_by, acknowledgedAt: u.acknowledged_at, note: u.review_note, ticket: u.review_ticket } : null,
      alert: u.alert_id ? { id: u.alert_id, status: u.alert_status, severity: u.alert_severity, openedAt: u.alert_opened_at, version: u.alert_version } : null,
      notes,
      summary: clientSummary(described),
    });
  }
  return result;
}

/**
 * The Support Lead has reviewed the partial upload (and told the client): recorded once, audited, and
 * its alert acknowledged; the monitor resolves the alert on its next run. Staging rows and the re-run
 * block are left as they are.
 */
export async function acknowledgePartial(pool: pg.Pool, actor: Actor, uploadId: string, input: { note: string; ticket?: string | null; now?: Date }) {
  const now = input.now ?? new Date();
  const note = input.note?.trim() || null;
  const ticket = input.ticket?.trim() || null;
  // The review is what the Support Lead told the client: without it nobody can follow up (D10-02).
  if (!note) throw badRequest("Say what you told the client (or the ticket you opened) to acknowledge a partial promotion.", "NOTE_REQUIRED");
  return withTransaction(pool, async (client) => {
    const upload = isUuid(uploadId)
      ? await client.query<{ status: string; file_name: string }>(`SELECT status::text AS status, file_name FROM uploads WHERE id = $1 FOR SHARE`, [uploadId])
      : { rows: [] };
    if (!upload.rows[0]) throw notFound(`Upload ${uploadId}`);
    if (upload.rows[0].status !== "partial") throw conflict(`Upload ${upload.rows[0].file_name} is ${upload.rows[0].status}, not partial.`, "NOT_PARTIAL");
    const { rows } = await client.query(
      `INSERT INTO partial_reviews (upload_id, acknowledged_by, acknowledged_by_id, acknowledged_at, note, ticket) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (upload_id) DO NOTHING RETURNING *`,
      [uploadId, actor.email, actor.id ?? null, now, note, ticket],
    );
    if (!rows[0]) {
      const existing = await client.query(`SELECT acknowledged_by, acknowledged_at FROM partial_reviews WHERE upload_id = $1`, [uploadId]);
      throw conflict(
        `Already acknowledged by ${existing.rows[0].acknowledged_by} at ${existing.rows[0].acknowledged_at.toISOString()}.`,
        "ALREADY_ACKNOWLEDGED",
      );
    }
    const alert = await client.query<{ id: string }>(
      `UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, version = version + 1
        WHERE active_fingerprint = $1 AND status = 'open' RETURNING id`,
      [`partial:${uploadId}`, now, actor.email],
    );
    const alertId = alert.rows[0]?.id ?? (await latestPartialAlert(client, uploadId));
    const body = ticket ? `Partial acknowledged — ticket ${ticket}: ${note}` : `Partial acknowledged: ${note}`;
    if (alertId)
      await client.query(`INSERT INTO alert_notes (alert_id, author, author_id, body) VALUES ($1, $2, $3, $4)`, [alertId, actor.email, actor.id ?? null, body]);
    await recordAudit(client, {
      actor,
      action: "partial.acknowledge",
      targetType: "upload",
      targetId: uploadId,
      reason: note,
      after: { acknowledged: true, note, ticket },
      outcome: "ok",
    });
    return { uploadId, acknowledgedBy: actor.email, acknowledgedAt: now, note, ticket, alertId: alertId ?? null };
  });
}

async function latestPartialAlert(db: Queryable, uploadId: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM alerts WHERE fingerprint = $1 ORDER BY opened_at DESC LIMIT 1`, [`partial:${uploadId}`]);
  return rows[0]?.id ?? null;
}

/** A note on a partial upload goes to its alert's triage log. */
export async function addPartialNote(pool: pg.Pool, actor: Actor, uploadId: string, body: string): Promise<AlertNote> {
  const alertId = isUuid(uploadId) ? await latestPartialAlert(pool, uploadId) : null;
  if (!alertId) throw notFound(`A partial-promotion alert for upload ${uploadId}`);
  return addAlertNote(pool, actor, alertId, body);
}
