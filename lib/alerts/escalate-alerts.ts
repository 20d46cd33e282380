import type { Queryable } from "@/lib/db/sql";
import { log } from "@/lib/log";
import type { Severity } from "@/lib/signals/catalog";
import { toAlert, type Alert } from "./alert-record";

/** D10-06: alerts still unacknowledged after `afterMinutes` are escalated once (compare-and-set on the flag). */
export async function escalateAlerts(db: Queryable, input: { now: Date; afterMinutes: number; severities: readonly Severity[] }): Promise<Alert[]> {
  const { rows } = await db.query(
    `UPDATE alerts SET escalated = true, escalated_at = $1, version = version + 1
      WHERE status = 'open' AND NOT escalated AND severity = ANY($3::"AlertSeverity"[])
        AND opened_at <= $1::timestamptz - $2::float8 * interval '1 minute'
     RETURNING *`,
    [input.now, input.afterMinutes, input.severities],
  );
  const escalated = rows.map(toAlert);
  for (const a of escalated) log.warn("alert.escalated", { alertId: a.id, signal: a.signal, severity: a.severity, openedAt: a.openedAt });
  return escalated;
}
