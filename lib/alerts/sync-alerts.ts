import type { Queryable } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { SIGNALS, type Firing, type SignalId } from "@/lib/signals/catalog";
import { toAlert, type Alert } from "./alert-record";

export type SyncResult = { opened: Alert[]; refreshed: number; resolved: Alert[] };

/**
 * Opens an alert for each firing whose fingerprint has no active alert, refreshes the evidence of the
 * ones that do (a repeat is not a new alert), and resolves the active alerts of every evaluated signal
 * that no longer fires. One active alert per fingerprint is enforced by the unique active_fingerprint.
 */
export async function syncAlerts(db: Queryable, input: { firings: Firing[]; evaluated: SignalId[]; now: Date }): Promise<SyncResult> {
  const opened: Alert[] = [];
  let refreshed = 0;
  for (const f of input.firings) {
    const def = SIGNALS[f.signal];
    const { rows } = await db.query(
      `INSERT INTO alerts AS a (id, signal, fingerprint, active_fingerprint, scenario, severity, owner_role, runbook, title, detail, data, value, opened_value,
                                workspace_id, upload_id, status, opened_at, last_seen_at)
       VALUES (gen_random_uuid(), $1, $2, $2, $3, $4::"AlertSeverity", $5::"Role", $6, $7, $8, $9, $10, $10, $11, $12, 'open', $13, $13)
       ON CONFLICT (active_fingerprint) DO UPDATE
          SET severity = EXCLUDED.severity, title = EXCLUDED.title, detail = EXCLUDED.detail, data = EXCLUDED.data,
              value = EXCLUDED.value, last_seen_at = EXCLUDED.last_seen_at
       RETURNING a.*, (xmax = 0) AS inserted`,
      [
        f.signal,
        f.fingerprint,
        def.scenario,
        f.severity,
        def.ownerRole,
        def.runbook,
        f.title,
        f.detail,
        JSON.stringify(f.data ?? {}),
        f.value ?? null,
        f.workspaceId ?? null,
        f.uploadId ?? null,
        input.now,
      ],
    );
    if (rows[0].inserted) {
      opened.push(toAlert(rows[0]));
      log.warn("alert.opened", {
        alertId: rows[0].id,
        signal: f.signal,
        fingerprint: f.fingerprint,
        severity: f.severity,
        scenario: def.scenario,
        title: f.title,
      });
    } else refreshed++;
  }
  const firing = input.firings.map((f) => f.fingerprint);
  const { rows } = await db.query(
    `UPDATE alerts SET status = 'resolved', active_fingerprint = NULL, resolved_at = $3, resolved_by = 'system', version = version + 1
      WHERE active_fingerprint IS NOT NULL AND signal = ANY($1::text[]) AND NOT (fingerprint = ANY($2::text[]))
     RETURNING *`,
    [input.evaluated, firing, input.now],
  );
  const resolved = rows.map(toAlert);
  for (const a of resolved) log.info("alert.resolved", { alertId: a.id, signal: a.signal, fingerprint: a.fingerprint });
  return { opened, refreshed, resolved };
}
