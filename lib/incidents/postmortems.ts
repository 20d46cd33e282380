import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { conflict } from "@/lib/errors";
import { markdownBlock, markdownText } from "@/lib/text/user-text";
import { assertWindow, type SavePostmortemInput } from "./incident.schema";
import type { AcceptedUnknown } from "./accepted-unknowns";
import type { IncidentTimeline } from "./incident-timeline";
import type { PostmortemsRow } from "@/lib/db/rows";

export type Postmortem = {
  incidentId: string;
  title: string;
  from: string;
  to: string;
  whatHappened: string;
  why: string;
  whatChanged: string;
  updatedBy: string;
  updatedAt: string;
  version: number;
};

function toPostmortem(r: PostmortemsRow): Postmortem {
  return {
    incidentId: r.incident_id,
    title: r.title,
    from: r.from_at.toISOString(),
    to: r.to_at.toISOString(),
    whatHappened: r.what_happened,
    why: r.why,
    whatChanged: r.what_changed,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
}

export async function getPostmortem(db: Queryable, incidentId: string): Promise<Postmortem | null> {
  const { rows } = await db.query(`SELECT * FROM postmortems WHERE incident_id = $1`, [incidentId.trim()]);
  return rows[0] ? toPostmortem(rows[0]) : null;
}

export async function listPostmortems(db: Queryable, limit = 50): Promise<Postmortem[]> {
  const { rows } = await db.query(`SELECT * FROM postmortems ORDER BY updated_at DESC LIMIT $1`, [limit]);
  return rows.map(toPostmortem);
}

export type RecentIncident = { incidentId: string; first: string; last: string; entries: number };

/** Incident IDs used in the last 30 days (audit log, runbook executions, upload events), newest first. */
export async function recentIncidents(db: Queryable, now = new Date()): Promise<RecentIncident[]> {
  const { rows } = await db.query<{ incident_id: string; first: Date; last: Date; entries: number }>(
    `SELECT incident_id, min(at) AS first, max(at) AS last, count(*)::int AS entries FROM (
       SELECT incident_id, at FROM audit_log WHERE incident_id IS NOT NULL AND at > $1::timestamptz - interval '30 days'
       UNION ALL SELECT incident_id, started_at FROM runbook_executions WHERE started_at > $1::timestamptz - interval '30 days'
       UNION ALL SELECT incident_id, created_at FROM upload_events WHERE incident_id IS NOT NULL AND created_at > $1::timestamptz - interval '30 days'
     ) x WHERE btrim(incident_id) <> '' GROUP BY incident_id ORDER BY max(at) DESC LIMIT 20`,
    [now],
  );
  return rows.map((r) => ({ incidentId: r.incident_id, first: r.first.toISOString(), last: r.last.toISOString(), entries: r.entries }));
}

/**
 * Saves the written part of an incident's postmortem: created with expectedVersion 0, then a
 * compare-and-set on the version the writer loaded, so two writers never overwrite each other silently.
 */
export async function savePostmortem(pool: pg.Pool, actor: Actor, input: SavePostmortemInput): Promise<Postmortem> {
  assertWindow(input.from, input.to);
  const values = [input.incidentId, input.title, input.from, input.to, input.whatHappened, input.why, input.whatChanged, actor.email];
  return withTransaction(pool, async (client) => {
    const { rows } =
      input.expectedVersion === 0
        ? await client.query(
            `INSERT INTO postmortems (incident_id, title, from_at, to_at, what_happened, why, what_changed, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (incident_id) DO NOTHING RETURNING *`,
            values,
          )
        : await client.query(
            `UPDATE postmortems SET title = $2, from_at = $3, to_at = $4, what_happened = $5, why = $6, what_changed = $7, updated_by = $8, updated_at = now(), version = version + 1
              WHERE incident_id = $1 AND version = $9 RETURNING *`,
            [...values, input.expectedVersion],
          );
    if (!rows[0]) {
      const current = await getPostmortem(client, input.incidentId);
      throw conflict(
        current
          ? `${current.updatedBy} saved this postmortem at ${current.updatedAt} (version ${current.version}) since you loaded it. Reload, merge, and save again.`
          : "This postmortem does not exist yet; reload the page.",
        "STALE_POSTMORTEM",
      );
    }
    await recordAudit(client, {
      actor,
      action: "postmortem.save",
      targetType: "postmortem",
      targetId: input.incidentId,
      incidentId: input.incidentId,
      after: { title: input.title, from: input.from, to: input.to, version: rows[0].version },
      outcome: "ok",
    });
    return toPostmortem(rows[0]);
  });
}

// ---- Markdown -----------------------------------------------------------------------------------

// Every piece of user text (titles, file names, notes, reasons, actors) goes through these.
const cell = markdownText;
const block = (text: string | null | undefined, placeholder: string) => (text?.trim() ? markdownBlock(text.trim()) : `_${placeholder}_`);
const minutes = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 60_000);

/** The postmortem draft (Iteration 06 template: what happened, why, what we changed) as Markdown. */
export function postmortemMarkdown(
  timeline: IncidentTimeline,
  written: Pick<Postmortem, "title" | "whatHappened" | "why" | "whatChanged" | "updatedBy" | "updatedAt"> | null,
  acceptedUnknowns: AcceptedUnknown[] = [],
): string {
  const t = timeline;
  const lines = [
    `# Postmortem: ${cell(written?.title?.trim() || t.incidentId)}`,
    "",
    "| Field | Detail |",
    "|---|---|",
    `| Incident | ${cell(t.incidentId)} |`,
    `| Window (UTC) | ${t.from} → ${t.to} (${minutes(t.from, t.to)} min) |`,
    `| Alerts | ${t.counts.alert} timeline entries |`,
    `| Uploads | ${t.uploads.created} created, ${t.uploads.failed} failed |`,
    `| Control changes | ${t.counts.control} |`,
    `| Force-fails | ${t.counts.upload} |`,
    `| Runbook executions | ${t.runbooks.length} |`,
    `| Draft | ${written ? `last saved by ${cell(written.updatedBy)} at ${written.updatedAt}` : "not saved yet"} |`,
    "",
    "## Facts gathered from the data",
    "",
    ...t.facts.map((f) => `- ${cell(f)}`),
    "",
    "## What happened",
    "",
    block(written?.whatHappened, "To be written: the impact, who noticed, and how it unfolded."),
    "",
    "## Why",
    "",
    block(written?.why, "To be written: the root cause and the contributing factors."),
    "",
    "## What we changed",
    "",
    block(written?.whatChanged, "To be written: immediate fixes, follow-ups with owners and dates, and runbook updates."),
    "",
    "## Accepted unknowns (D10-04)",
    "",
    ...(acceptedUnknowns.length
      ? acceptedUnknowns.map((u) => `- **${cell(u.title)}** — ${u.from} → ${u.to}, recorded by ${cell(u.recordedBy)} at ${u.recordedAt}: ${cell(u.impact)}`)
      : ["_None recorded._"]),
    "",
    "## Runbook executions",
    "",
    ...(t.runbooks.length
      ? t.runbooks.map(
          (r) =>
            `- ${cell(r.title)} (\`${r.runbook}\`) started by ${cell(r.startedBy)} at ${r.startedAt}: **${r.status}** — ${r.ok} ok, ${r.failed} failed, ${r.skipped} skipped${r.closingNote ? ` — ${cell(r.closingNote)}` : ""}`,
        )
      : ["_None._"]),
    "",
    "## Timeline (UTC)",
    "",
    "| Time | Source | Event | Who | Incident | Detail |",
    "|---|---|---|---|---|---|",
    ...t.entries.map((e) => `| ${e.at} | ${e.source} | ${cell(e.title)} | ${cell(e.actor)} | ${cell(e.incidentId)} | ${cell(e.detail)} |`),
    ...(t.truncated.length ? ["", `_Only the first 500 entries of: ${t.truncated.join(", ")}._`] : []),
    "",
  ];
  return lines.join("\n");
}
