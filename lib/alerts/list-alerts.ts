import { Filter } from "@/lib/db/filter";
import type { Queryable } from "@/lib/db/sql";
import { notFound } from "@/lib/errors";
import { SEVERITIES, SIGNALS, type Severity, type SignalId } from "@/lib/signals/catalog";
import { ALERT_COLUMNS, toAlert, toNote, type Alert, type AlertNote, type AlertStatus } from "./alert-record";
import { alertFiltersSchema, type AlertFilters } from "./alert.schema";
import { listAlertNotifications, type AlertNotification } from "./notify";
import { isUuid } from "@/lib/db/ids";

export type AlertList = { alerts: (Alert & { notes: number })[]; counts: Record<AlertStatus, number> };

/** The Alerts page: newest first, filtered by status (or "active"), owner role, scenario, signal, workspace (id or slug), escalation. */
export async function listAlerts(db: Queryable, filters: AlertFilters = {}): Promise<AlertList> {
  const f = alertFiltersSchema.parse(filters);
  const filter = new Filter()
    .where((p) => `a.owner_role = ${p}::"Role"`, f.ownerRole)
    .where((p) => `a.scenario = ${p}`, f.scenario)
    .where((p) => `a.signal = ${p}`, f.signal)
    .where((p) => `a.workspace_id IN (SELECT id FROM workspaces WHERE slug = ${p} OR id::text = ${p})`, f.workspace)
    .where((p) => `a.escalated = ${p}`, f.escalated);
  // The counts per status ignore the status filter (they label the status tabs).
  const common = filter.conjunction;
  const countParams = [...filter.params];
  const statusClause = !f.status ? "true" : f.status === "active" ? "a.status <> 'resolved'" : `a.status = '${f.status}'`;
  const limit = filter.bind(f.limit);
  const [list, counts] = await Promise.all([
    db.query(
      `SELECT ${ALERT_COLUMNS}, (SELECT count(*)::int FROM alert_notes n WHERE n.alert_id = a.id) AS note_count
         FROM alerts a WHERE ${common} AND ${statusClause}
        ORDER BY (a.status = 'resolved'), a.opened_at DESC LIMIT ${limit}`,
      filter.params,
    ),
    db.query<{ status: AlertStatus; n: number }>(`SELECT a.status, count(*)::int AS n FROM alerts a WHERE ${common} GROUP BY a.status`, countParams),
  ]);
  const byStatus = Object.fromEntries(counts.rows.map((r) => [r.status, r.n]));
  return {
    alerts: list.rows.map((r) => ({ ...toAlert(r), notes: r.note_count })),
    counts: { open: byStatus.open ?? 0, acknowledged: byStatus.acknowledged ?? 0, resolved: byStatus.resolved ?? 0 },
  };
}

/** One alert with its triage notes and its notifications (each with its delivery result), oldest first. */
export async function getAlertOrThrow(db: Queryable, alertId: string): Promise<{ alert: Alert; notes: AlertNote[]; notifications: AlertNotification[] }> {
  const { rows } = isUuid(alertId) ? await db.query(`SELECT ${ALERT_COLUMNS} FROM alerts a WHERE a.id = $1`, [alertId]) : { rows: [] };
  if (!rows[0]) throw notFound(`Alert ${alertId}`);
  const [notes, notifications] = await Promise.all([
    db.query(`SELECT * FROM alert_notes WHERE alert_id = $1 ORDER BY id`, [alertId]),
    listAlertNotifications(db, alertId),
  ]);
  return { alert: toAlert(rows[0]), notes: notes.rows.map(toNote), notifications };
}

export type SignalTile = { signal: SignalId; title: string; scenario: string; active: number; unacknowledged: number; severity: Severity | null };

/** The overview's tiles: every signal with its active alerts and their highest severity (red when any is active). */
export async function signalTiles(db: Queryable): Promise<SignalTile[]> {
  const { rows } = await db.query<{ signal: SignalId; active: number; unacked: number; severities: Severity[] }>(
    `SELECT signal, count(*)::int AS active, count(*) FILTER (WHERE status = 'open')::int AS unacked, array_agg(DISTINCT severity::text) AS severities
       FROM alerts WHERE active_fingerprint IS NOT NULL GROUP BY signal
     UNION ALL
     -- D10-06 is not an alert of its own: it is every active alert escalated while unacknowledged.
     SELECT 'alert_unacknowledged', count(*)::int, count(*)::int, coalesce(array_agg(DISTINCT severity::text), '{}')
       FROM alerts WHERE active_fingerprint IS NOT NULL AND escalated AND status = 'open'
     HAVING count(*) > 0`,
  );
  const bySignal = new Map(rows.map((r) => [r.signal, r]));
  return (Object.keys(SIGNALS) as SignalId[]).map((signal) => {
    const r = bySignal.get(signal);
    const severity = r ? (SEVERITIES.filter((s) => r.severities.includes(s)).at(-1) ?? null) : null;
    return { signal, title: SIGNALS[signal].title, scenario: SIGNALS[signal].scenario, active: r?.active ?? 0, unacknowledged: r?.unacked ?? 0, severity };
  });
}
