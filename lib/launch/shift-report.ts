import type pg from "pg";
import { listBreakers } from "@/lib/breakers/list-breakers";
import { readControls } from "@/lib/controls/controls";
import type { AlertsRow, UploadsRow } from "@/lib/db/rows";
import { stagingBloat } from "@/lib/uploads/staging-rows";

/** D8 §3.2, the hourly health check as one view: the four queries of the runbook with their targets. */
export async function hourlyHealth(pool: pg.Pool) {
  const [byStatus, backlog, breakers] = await Promise.all([
    pool.query<{ status: string; n: number }>(
      `SELECT status::text AS status, count(*)::int AS n FROM uploads WHERE created_at > now() - interval '1 hour' GROUP BY 1 ORDER BY 1`,
    ),
    stagingBloat(pool), // the staging backlog from the uploads' counters: a count(*) would read every staged row
    listBreakers(pool, { historyLimit: 0 }),
  ]);
  const total = byStatus.rows.reduce((a, r) => a + r.n, 0);
  const failed = byStatus.rows.find((r) => r.status === "failed")?.n ?? 0;
  const errorRate = total ? (failed * 100) / total : null;
  const rows = backlog.rows;
  return {
    uploads: byStatus.rows,
    total,
    errorRate: { percent: errorRate, ok: errorRate === null || errorRate < 5 },
    backlog: { rows, ok: rows < 10_000 },
    breakers: { all: breakers.map((b) => ({ name: b.name, state: b.state })), ok: breakers.every((b) => b.state === "CLOSED") },
  };
}

/** The shift handoff of D8 §3.1 (T+8h): what is open now and what changed in the last `hours` hours. */
export async function shiftHandoff(pool: pg.Pool, hours = 8) {
  const since = `now() - make_interval(hours => $1)`;
  const [alerts, stuck, uploads, failed, actions, alertMoves, controls] = await Promise.all([
    pool.query<Pick<AlertsRow, "id" | "title" | "severity" | "status" | "scenario" | "escalated"> & { openedAt: Date; acknowledgedBy: string | null }>(
      `SELECT id, title, severity, status, scenario, opened_at AS "openedAt", acknowledged_by AS "acknowledgedBy", escalated FROM alerts
        WHERE status IN ('open', 'acknowledged') ORDER BY (severity = 'critical') DESC, (severity = 'page') DESC, opened_at LIMIT 50`,
    ),
    pool.query<Pick<UploadsRow, "id" | "status"> & { fileName: string; workspace: string; since: Date; lockedBy: string | null }>(
      `SELECT u.id, u.file_name AS "fileName", w.slug AS workspace, u.status, u.updated_at AS since, u.locked_by AS "lockedBy" FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
        WHERE u.status IN ('pending', 'processing', 'staged', 'promoting') AND u.updated_at < now() - interval '30 minutes' ORDER BY u.updated_at LIMIT 20`,
    ),
    pool.query<{ status: string; n: number }>(
      `SELECT status::text AS status, count(*)::int AS n FROM uploads WHERE created_at > ${since} GROUP BY 1 ORDER BY 1`,
      [hours],
    ),
    pool.query<{ id: string; fileName: string; workspace: string; errorCode: string | null; at: Date }>(
      `SELECT u.id, u.file_name AS "fileName", w.slug AS workspace, u.error_code AS "errorCode", u.failed_at AS at FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
        WHERE u.status = 'failed' AND u.failed_at > ${since} ORDER BY u.failed_at DESC LIMIT 20`,
      [hours],
    ),
    pool.query<{ action: string; actor: string; target: string; incidentId: string | null; reason: string | null; at: Date }>(
      `SELECT action, actor_email AS actor, target_type || coalesce(' ' || nullif(target_id, ''), '') AS target, incident_id AS "incidentId", reason, at FROM audit_log
        WHERE outcome = 'ok' AND at > ${since} ORDER BY id DESC LIMIT 30`,
      [hours],
    ),
    pool.query<{ opened: number; resolved: number }>(
      `SELECT count(*) FILTER (WHERE opened_at > ${since})::int AS opened, count(*) FILTER (WHERE resolved_at > ${since})::int AS resolved FROM alerts`,
      [hours],
    ),
    readControls(pool),
  ]);
  return {
    hours,
    mode: controls.effectiveMode,
    openAlerts: alerts.rows,
    stuck: stuck.rows,
    uploads: uploads.rows,
    failed: failed.rows,
    actions: actions.rows,
    alertsOpened: alertMoves.rows[0].opened,
    alertsResolved: alertMoves.rows[0].resolved,
  };
}

export type HourlyHealth = Awaited<ReturnType<typeof hourlyHealth>>;
export type ShiftHandoff = Awaited<ReturnType<typeof shiftHandoff>>;
