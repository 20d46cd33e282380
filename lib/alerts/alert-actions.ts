import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { badRequest, conflict, notFound } from "@/lib/errors";
import { parseUuid } from "@/lib/db/ids";
import { ALERT_COLUMNS, toAlert, toNote, type Alert, type AlertNote, type AlertOutcome } from "./alert-record";

async function currentOrThrow(db: Queryable, alertId: string): Promise<Alert> {
  const { rows } = await db.query(`SELECT ${ALERT_COLUMNS} FROM alerts a WHERE a.id = $1`, [parseUuid(alertId, `Alert ${alertId}`)]);
  if (!rows[0]) throw notFound(`Alert ${alertId}`);
  return toAlert(rows[0]);
}

/** Someone is on it: open → acknowledged (compare-and-set), which also stops its escalation. */
export async function acknowledgeAlert(pool: pg.Pool, actor: Actor, alertId: string, options: { now?: Date } = {}): Promise<Alert> {
  return withTransaction(pool, async (client) => {
    const before = await currentOrThrow(client, alertId);
    const { rows } = await client.query(
      `UPDATE alerts a SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, version = version + 1
        WHERE a.id = $1 AND a.status = 'open' RETURNING ${ALERT_COLUMNS}`,
      [alertId, options.now ?? new Date(), actor.email],
    );
    if (!rows[0]) {
      throw conflict(
        before.status === "acknowledged"
          ? `Already acknowledged by ${before.acknowledgedBy} at ${before.acknowledgedAt?.toISOString()}.`
          : `The alert was resolved at ${before.resolvedAt?.toISOString()}; nothing to acknowledge.`,
        "STALE_ALERT",
      );
    }
    await recordAudit(client, {
      actor,
      action: "alert.acknowledge",
      targetType: "alert",
      targetId: alertId,
      before: { status: before.status },
      after: { status: "acknowledged" },
      outcome: "ok",
    });
    return toAlert(rows[0]);
  });
}

/** Appends a note to the alert's triage log. */
export async function addAlertNote(pool: pg.Pool, actor: Actor, alertId: string, body: string): Promise<AlertNote> {
  const text = body.trim();
  if (!text) throw badRequest("A note cannot be empty.");
  return withTransaction(pool, async (client) => {
    await currentOrThrow(client, alertId);
    const { rows } = await client.query(`INSERT INTO alert_notes (alert_id, author, author_id, body) VALUES ($1, $2, $3, $4) RETURNING *`, [
      alertId,
      actor.email,
      actor.id ?? null,
      text,
    ]);
    await recordAudit(client, { actor, action: "alert.note", targetType: "alert", targetId: alertId, after: { note: text }, outcome: "ok" });
    return toNote(rows[0]);
  });
}

/** Classifies the alert (fixed / expected / false positive), compare-and-set on the version the person saw. */
export async function setAlertOutcome(
  pool: pg.Pool,
  actor: Actor,
  alertId: string,
  input: { outcome: AlertOutcome; expectedVersion: number; now?: Date },
): Promise<Alert> {
  return withTransaction(pool, async (client) => {
    const before = await currentOrThrow(client, alertId);
    const { rows } = await client.query(
      `UPDATE alerts a SET outcome = $3::"AlertOutcome", outcome_at = $4, outcome_by = $5, version = version + 1
        WHERE a.id = $1 AND a.version = $2 RETURNING ${ALERT_COLUMNS}`,
      [alertId, input.expectedVersion, input.outcome, input.now ?? new Date(), actor.email],
    );
    if (!rows[0]) {
      throw conflict(
        `This alert changed since you loaded it (now ${before.status}${before.outcome ? `, marked ${before.outcome} by ${before.outcomeBy}` : ""}). Reload and decide again.`,
        "STALE_ALERT",
      );
    }
    await recordAudit(client, {
      actor,
      action: "alert.outcome",
      targetType: "alert",
      targetId: alertId,
      before: { outcome: before.outcome },
      after: { outcome: input.outcome },
      outcome: "ok",
    });
    return toAlert(rows[0]);
  });
}
