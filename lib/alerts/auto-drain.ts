import type pg from "pg";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record-audit";
import { withTransaction } from "@/lib/db/sql";
import { log } from "@/lib/log";
import { PAGING } from "@/lib/signals/catalog";
import type { SignalConfig } from "@/lib/signals/config";

export type AutoDrain = { drained: true; alertId: string; reason: string } | { drained: false; why: string };

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * D10-06 hard stop: when the error rate is at page level and higher than when it paged, while a
 * page-severity alert has stayed unacknowledged, the system drains ingestion itself. A compare-and-set
 * on the mode control that only moves it from "running" (an operator's drain or halt always stands),
 * audited as done by the system, with the alert as its incident reference.
 */
export async function autoDrainIfNeeded(pool: pg.Pool, input: { now: Date; config: SignalConfig }): Promise<AutoDrain> {
  const { autoDrain, errorRate } = input.config;
  if (!autoDrain.enabled) return { drained: false, why: "auto-drain disabled" };
  const rate = await pool.query<{ id: string; value: number; opened_value: number }>(
    `SELECT id, value, opened_value FROM alerts WHERE active_fingerprint = 'error_rate'`,
  );
  const current = rate.rows[0];
  if (!current || current.value < errorRate.page) return { drained: false, why: "error rate below page level" };
  if (!(current.value > current.opened_value)) return { drained: false, why: "error rate not rising" };
  const unacked = await pool.query<{ id: string; title: string; opened_at: Date }>(
    `SELECT id, title, opened_at FROM alerts
      WHERE status = 'open' AND severity = ANY($1::"AlertSeverity"[]) AND opened_at <= $2::timestamptz - $3::float8 * interval '1 minute'
      ORDER BY opened_at LIMIT 1`,
    [PAGING, input.now, autoDrain.unacknowledgedMinutes],
  );
  const page = unacked.rows[0];
  if (!page) return { drained: false, why: "no page left unacknowledged" };
  const minutes = Math.floor((input.now.getTime() - page.opened_at.getTime()) / 60_000);
  const reason =
    `Automatic drain (D10-06): error rate rose from ${pct(current.opened_value)} to ${pct(current.value)} ` +
    `while page alert ${page.id} "${page.title}" stayed unacknowledged for ${minutes} min.`;
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ old_value: unknown; value: unknown }>(
      `WITH old AS (SELECT key, value, version FROM ingestion_controls WHERE key = 'mode' FOR UPDATE)
       UPDATE ingestion_controls c
          SET value = '{"mode":"draining"}'::jsonb, version = c.version + 1, set_by = $1, set_at = now(), reason = $2, incident_id = $3, expires_at = NULL
         FROM old
        WHERE c.key = old.key AND old.value->>'mode' = 'running'
       RETURNING old.value AS old_value, c.value`,
      [SYSTEM_ACTOR.email, reason, `alert:${page.id}`],
    );
    if (!rows[0]) return { drained: false, why: "ingestion is not running (an operator's mode stands)" } as const;
    await recordAudit(client, {
      actor: SYSTEM_ACTOR,
      action: "controls.drain",
      targetType: "control",
      targetId: "mode",
      reason,
      incidentId: `alert:${page.id}`,
      before: rows[0].old_value,
      after: rows[0].value,
      outcome: "ok",
    });
    await client.query(`INSERT INTO alert_notes (alert_id, author, body) VALUES ($1, $2, $3)`, [page.id, SYSTEM_ACTOR.email, reason]);
    if (page.id !== current.id) await client.query(`INSERT INTO alert_notes (alert_id, author, body) VALUES ($1, $2, $3)`, [current.id, SYSTEM_ACTOR.email, reason]);
    log.error("controls.auto_drain", { alertId: page.id, errorRateAlertId: current.id, reason });
    return { drained: true, alertId: page.id, reason } as const;
  });
}
