import type { Queryable } from "@/lib/db/sql";
import { assertWindow } from "./incident.schema";

export const TIMELINE_SOURCES = ["alert", "control", "runbook", "upload", "breaker", "audit"] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

export type TimelineEntry = {
  at: string;
  source: TimelineSource;
  title: string;
  actor: string | null;
  incidentId: string | null;
  detail: string | null;
  /** A console page with more. */
  href: string | null;
  refused: boolean;
};

export type RunbookSummary = {
  id: string;
  runbook: string;
  title: string;
  startedBy: string;
  startedAt: string;
  status: string;
  closingNote: string | null;
  ok: number;
  failed: number;
  skipped: number;
};

export type IncidentTimeline = {
  incidentId: string;
  from: string;
  to: string;
  entries: TimelineEntry[];
  /** Sources that hit the per-source limit: the timeline shows only their first entries. */
  truncated: TimelineSource[];
  counts: Record<TimelineSource, number>;
  uploads: { created: number; failed: number; byErrorCode: { code: string; count: number }[] };
  runbooks: RunbookSummary[];
  /** Facts gathered from the data, for the postmortem's "what happened". */
  facts: string[];
};

const LIMIT = 500;
const json = (v: unknown) => (v === null || v === undefined ? "—" : JSON.stringify(v));

/**
 * Everything that happened between two times, or was done under the incident ID: alerts (opened,
 * escalated, acknowledged, resolved, notes), control changes, runbook executions and their steps,
 * force-fails of uploads, circuit-breaker changes and the rest of the audit log — oldest first.
 */
export async function gatherIncidentTimeline(db: Queryable, input: { incidentId: string; from: Date; to: Date }): Promise<IncidentTimeline> {
  assertWindow(input.from, input.to);
  const p = [input.from, input.to, input.incidentId.trim(), LIMIT + 1];
  const windowOnly = [input.from, input.to, LIMIT + 1];
  const [alerts, notes, audit, executions, steps, forceFails, breakers, uploads] = await Promise.all([
    db.query(
      `SELECT * FROM (
         SELECT opened_at AS at, 'opened' AS what, NULL AS actor, id, title, severity::text AS severity, scenario, runbook FROM alerts WHERE opened_at BETWEEN $1 AND $2
         UNION ALL SELECT escalated_at, 'escalated (unacknowledged)', NULL, id, title, severity::text, scenario, runbook FROM alerts WHERE escalated_at BETWEEN $1 AND $2
         UNION ALL SELECT acknowledged_at, 'acknowledged', acknowledged_by, id, title, severity::text, scenario, runbook FROM alerts WHERE acknowledged_at BETWEEN $1 AND $2
         UNION ALL SELECT resolved_at, 'resolved', resolved_by, id, title, severity::text, scenario, runbook FROM alerts WHERE resolved_at BETWEEN $1 AND $2
       ) x ORDER BY at LIMIT $3`,
      windowOnly,
    ),
    db.query(
      `SELECT n.created_at AS at, n.author, n.body, a.id, a.title FROM alert_notes n JOIN alerts a ON a.id = n.alert_id
        WHERE n.created_at BETWEEN $1 AND $2 ORDER BY n.id LIMIT $3`,
      windowOnly,
    ),
    db.query(
      `SELECT at, actor_email, action, target_type, target_id, reason, incident_id, before, after, outcome, refused_reason FROM audit_log
        WHERE (at BETWEEN $1 AND $2 OR incident_id = $3)
          AND action NOT LIKE 'runbook.%' AND action NOT IN ('alert.acknowledge', 'alert.note')
          AND NOT (action = 'upload.force_fail' AND outcome = 'ok')
        ORDER BY id LIMIT $4`,
      p,
    ),
    db.query(
      `SELECT id, runbook, runbook_title, incident_id, alert_id, started_by, started_at, status::text AS status, closed_by, closed_at, closing_note,
              (SELECT count(*)::int FROM runbook_step_records r WHERE r.execution_id = e.id AND r.result = 'ok') AS ok,
              (SELECT count(*)::int FROM runbook_step_records r WHERE r.execution_id = e.id AND r.result = 'failed') AS failed,
              (SELECT count(*)::int FROM runbook_step_records r WHERE r.execution_id = e.id AND r.result = 'skipped') AS skipped
         FROM runbook_executions e
        WHERE e.started_at BETWEEN $1 AND $2 OR e.closed_at BETWEEN $1 AND $2 OR e.incident_id = $3
        ORDER BY e.started_at LIMIT $4`,
      p,
    ),
    db.query(
      `SELECT r.recorded_at AS at, r.recorded_by, r.step_id, r.title, r.result::text AS result, r.note, e.id, e.runbook, e.incident_id
         FROM runbook_step_records r JOIN runbook_executions e ON e.id = r.execution_id
        WHERE r.recorded_at BETWEEN $1 AND $2 OR e.incident_id = $3
        ORDER BY r.id LIMIT $4`,
      p,
    ),
    db.query(
      `SELECT ev.created_at AS at, ev.actor, ev.from_status::text AS from_status, ev.reason, ev.incident_id, u.id, u.file_name, w.slug
         FROM upload_events ev JOIN uploads u ON u.id = ev.upload_id JOIN workspaces w ON w.id = u.workspace_id
        WHERE ev.to_status = 'failed' AND u.error_code = 'FORCE_FAILED' AND ev.actor NOT LIKE 'worker:%'
          AND (ev.created_at BETWEEN $1 AND $2 OR ev.incident_id = $3)
        ORDER BY ev.id LIMIT $4`,
      p,
    ),
    db.query(
      `SELECT at, breaker, from_state::text AS from_state, to_state::text AS to_state, reason, failure_count FROM circuit_breaker_events
        WHERE at BETWEEN $1 AND $2 ORDER BY at, id LIMIT $3`,
      windowOnly,
    ),
    db.query<{ code: string | null; is_total: number; created: number; failed: number }>(
      `SELECT error_code AS code, GROUPING(error_code) AS is_total, count(*)::int AS created, count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM uploads WHERE created_at BETWEEN $1 AND $2 GROUP BY GROUPING SETS ((error_code), ())`,
      [input.from, input.to],
    ),
  ]);

  const truncated: TimelineSource[] = [];
  const take = <T>(rows: T[], source: TimelineSource) => {
    if (rows.length > LIMIT && !truncated.includes(source)) truncated.push(source);
    return rows.slice(0, LIMIT);
  };
  const incident = input.incidentId.trim();
  const entries: TimelineEntry[] = [];
  const push = (e: Omit<TimelineEntry, "at" | "refused"> & { at: Date; refused?: boolean }) =>
    entries.push({ ...e, at: e.at.toISOString(), refused: e.refused ?? false });

  for (const a of take(alerts.rows, "alert")) {
    push({
      at: a.at,
      source: "alert",
      title: `Alert ${a.what}: ${a.title}`,
      actor: a.actor,
      incidentId: null,
      detail: `${a.severity} · ${a.scenario} · runbook ${a.runbook}`,
      href: `/alerts?id=${a.id}`,
    });
  }
  for (const n of take(notes.rows, "alert")) {
    push({ at: n.at, source: "alert", title: `Note on alert: ${n.title}`, actor: n.author, incidentId: null, detail: n.body, href: `/alerts?id=${n.id}` });
  }
  for (const a of take(audit.rows, "audit")) {
    const control = a.action.startsWith("controls.");
    const refused = a.outcome !== "ok";
    push({
      at: a.at,
      source: control ? "control" : "audit",
      title: `${a.action} ${a.target_type}${a.target_id ? `:${a.target_id}` : ""}${refused ? " — REFUSED" : ""}`,
      actor: a.actor_email,
      incidentId: a.incident_id,
      detail:
        [a.reason && `reason: ${a.reason}`, (a.before || a.after) && `${json(a.before)} → ${json(a.after)}`, a.refused_reason && `refused: ${a.refused_reason}`]
          .filter(Boolean)
          .join(" · ") || null,
      href: a.incident_id ? `/audit?incident=${encodeURIComponent(a.incident_id)}` : "/audit",
      refused,
    });
  }
  const execs = take(executions.rows, "runbook");
  for (const e of execs) {
    push({
      at: e.started_at,
      source: "runbook",
      title: `Runbook started: ${e.runbook_title}`,
      actor: e.started_by,
      incidentId: e.incident_id,
      detail: e.alert_id ? `for alert ${e.alert_id}` : null,
      href: `/runbooks/executions/${e.id}`,
    });
    if (e.closed_at && e.closed_at >= input.from && e.closed_at <= input.to) {
      push({
        at: e.closed_at,
        source: "runbook",
        title: `Runbook closed as ${e.status}: ${e.runbook_title}`,
        actor: e.closed_by,
        incidentId: e.incident_id,
        detail: e.closing_note,
        href: `/runbooks/executions/${e.id}`,
      });
    }
  }
  for (const s of take(steps.rows, "runbook")) {
    push({
      at: s.at,
      source: "runbook",
      title: `Step ${s.step_id} ${s.result}: ${s.title} (${s.runbook})`,
      actor: s.recorded_by,
      incidentId: s.incident_id,
      detail: s.note,
      href: `/runbooks/executions/${s.id}`,
    });
  }
  for (const f of take(forceFails.rows, "upload")) {
    push({
      at: f.at,
      source: "upload",
      title: `Upload force-failed from ${f.from_status}: ${f.file_name} (${f.slug})`,
      actor: f.actor,
      incidentId: f.incident_id,
      detail: f.reason,
      href: `/uploads/${f.id}`,
    });
  }
  for (const b of take(breakers.rows, "breaker")) {
    push({
      at: b.at,
      source: "breaker",
      title: `Breaker ${b.breaker}: ${b.from_state} → ${b.to_state}`,
      actor: null,
      incidentId: null,
      detail: b.reason ? `${b.reason} (failures: ${b.failure_count})` : null,
      href: "/breakers",
    });
  }
  entries.sort((x, y) => x.at.localeCompare(y.at) || TIMELINE_SOURCES.indexOf(x.source) - TIMELINE_SOURCES.indexOf(y.source));

  const counts = Object.fromEntries(TIMELINE_SOURCES.map((s) => [s, entries.filter((e) => e.source === s).length])) as Record<TimelineSource, number>;
  const totals = uploads.rows.find((r) => r.is_total === 1) ?? { created: 0, failed: 0 };
  const byErrorCode = uploads.rows
    .filter((r) => r.is_total === 0 && r.code !== null && r.failed > 0)
    .map((r) => ({ code: r.code!, count: r.failed }))
    .sort((x, y) => y.count - x.count);
  const runbooks: RunbookSummary[] = execs.map((e) => ({
    id: e.id,
    runbook: e.runbook,
    title: e.runbook_title,
    startedBy: e.started_by,
    startedAt: e.started_at.toISOString(),
    status: e.status,
    closingNote: e.closing_note,
    ok: e.ok,
    failed: e.failed,
    skipped: e.skipped,
  }));
  const timeline: IncidentTimeline = {
    incidentId: incident,
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    entries,
    truncated,
    counts,
    uploads: { created: totals.created, failed: totals.failed, byErrorCode },
    runbooks,
    facts: [],
  };
  timeline.facts = gatherFacts(timeline);
  return timeline;
}

function gatherFacts(t: IncidentTimeline): string[] {
  const facts: string[] = [];
  const alertsOpened = t.entries.filter((e) => e.source === "alert" && e.title.startsWith("Alert opened"));
  if (alertsOpened.length)
    facts.push(`${alertsOpened.length} alert(s) opened; the first at ${alertsOpened[0].at}: ${alertsOpened[0].title.replace("Alert opened: ", "")}.`);
  else facts.push("No alert opened in the window.");
  const codes = t.uploads.byErrorCode.map((c) => `${c.code} ×${c.count}`).join(", ");
  facts.push(`${t.uploads.created} upload(s) created in the window, ${t.uploads.failed} failed${codes ? ` (${codes})` : ""}.`);
  const controls = t.entries.filter((e) => e.source === "control" && !e.refused);
  if (controls.length) facts.push(`Control changes: ${controls.map((c) => `${c.title} by ${c.actor} at ${c.at}`).join("; ")}.`);
  const refused = t.entries.filter((e) => e.refused);
  if (refused.length) facts.push(`${refused.length} refused action(s) (see the timeline).`);
  const forceFails = t.entries.filter((e) => e.source === "upload");
  if (forceFails.length) facts.push(`${forceFails.length} upload(s) force-failed by operators.`);
  const trips = t.entries.filter((e) => e.source === "breaker" && e.title.endsWith("→ OPEN"));
  if (trips.length) facts.push(`${trips.length} circuit-breaker trip(s).`);
  if (t.runbooks.length)
    facts.push(
      `Runbooks: ${t.runbooks.map((r) => `${r.runbook} by ${r.startedBy} (${r.status}; ${r.ok} ok, ${r.failed} failed, ${r.skipped} skipped)`).join("; ")}.`,
    );
  return facts;
}
