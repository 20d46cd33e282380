import type pg from "pg";
import { refuse, requireAccountability } from "@/lib/audit/accountable";
import { recordAudit, SYSTEM_ACTOR, type AuditActor } from "@/lib/audit/record-audit";
import { can, type Role } from "@/lib/auth/permissions";
import { withTransaction } from "@/lib/db/sql";
import { conflict, forbidden, notFound } from "@/lib/errors";
import type { Mode, Worker } from "./controls";

export type Operator = AuditActor & { id: string; roles: Role[]; killSwitchSuspended?: boolean };

export type ChangeInput = {
  reason: string;
  incidentId?: string | null;
  /** "Resume automatically at": the control reverts to its default after this time. */
  expiresAt?: Date | null;
  /** The version the operator saw; the change applies only if nobody changed the control since. */
  expectedVersion: number;
};

type ControlRow = { key: string; value: unknown; version: number; set_by: string; set_at: Date; reason: string | null; incident_id: string | null; expires_at: Date | null };

/** Compare-and-set of one control row, audited in the same transaction. */
async function changeControl(pool: pg.Pool, actor: Operator, action: string, key: string, value: unknown, input: ChangeInput) {
  await requireAccountability(pool, actor, action, { type: "control", id: key }, input);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<ControlRow & { old_value: unknown; old_version: number }>(
      `WITH old AS (SELECT key, value, version FROM ingestion_controls WHERE key = $1 FOR UPDATE)
       UPDATE ingestion_controls c
          SET value = $2, version = c.version + 1, set_by = $3, set_at = now(), reason = $4, incident_id = $5, expires_at = $6
         FROM old
        WHERE c.key = old.key AND old.version = $7
       RETURNING c.*, old.value AS old_value, old.version AS old_version`,
      [key, JSON.stringify(value), actor.email, input.reason.trim(), input.incidentId!.trim(), input.expiresAt ?? null, input.expectedVersion],
    );
    if (!rows[0]) {
      const current = await client.query<ControlRow>(`SELECT * FROM ingestion_controls WHERE key = $1`, [key]);
      if (!current.rows[0]) throw notFound(`Control ${key}`);
      const c = current.rows[0];
      throw conflict(
        `This control changed since you loaded the page (now ${JSON.stringify(c.value)}, set by ${c.set_by} at ${c.set_at.toISOString()}). Reload and decide again.`,
        "STALE_CONTROL",
      );
    }
    const row = rows[0];
    await recordAudit(client, {
      actor,
      action,
      targetType: "control",
      targetId: key,
      reason: input.reason,
      incidentId: input.incidentId,
      before: row.old_value,
      after: { ...(row.value as object), expiresAt: row.expires_at },
      outcome: "ok",
    });
    return row;
  });
}

const MODE_ACTION: Record<Mode, string> = { running: "controls.resume", draining: "controls.drain", halted: "controls.halt" };

/**
 * Pause (drain), halt or resume ingestion. Halting, and lifting a halt, needs the halt privilege;
 * on-call has it only while declaring a P1 (D10-09).
 */
export async function setMode(pool: pg.Pool, actor: Operator, input: ChangeInput & { mode: Mode; severity?: string | null }) {
  const action = MODE_ACTION[input.mode];
  const current = await pool.query<{ value: { mode: Mode } }>(`SELECT value FROM ingestion_controls WHERE key = 'mode'`);
  const touchesHalt = input.mode === "halted" || current.rows[0]?.value.mode === "halted";
  if (touchesHalt && !can(actor, "controls.halt") && !(can(actor, "controls.halt_p1") && input.severity === "P1")) {
    await refuse(pool, actor, action, { type: "control", id: "mode" }, input, forbidden("Halting or lifting a halt requires sre_lead or ingestion_owner, or on-call during a declared P1."));
  }
  return changeControl(pool, actor, action, "mode", { mode: input.mode }, input);
}

export function setWorkerFreeze(pool: pg.Pool, actor: Operator, input: ChangeInput & { worker: Worker; frozen: boolean }) {
  return changeControl(pool, actor, input.frozen ? "controls.freeze_worker" : "controls.unfreeze_worker", `freeze.${input.worker}`, { frozen: input.frozen }, input);
}

export function setRollout(pool: pg.Pool, actor: Operator, input: ChangeInput & { phase: string; allowlist: string[] }) {
  return changeControl(pool, actor, "controls.rollout", "rollout", { phase: input.phase, allowlist: [...new Set(input.allowlist)] }, input);
}

/** Per-workspace pause: compare-and-set on the paused flag the operator saw. */
export async function setWorkspacePause(pool: pg.Pool, actor: Operator, input: Omit<ChangeInput, "expectedVersion"> & { workspaceId: string; paused: boolean }) {
  const action = input.paused ? "controls.workspace_pause" : "controls.workspace_resume";
  await requireAccountability(pool, actor, action, { type: "workspace", id: input.workspaceId }, input);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE workspaces SET paused = $2, paused_by = $3, paused_at = now(), pause_reason = $4, pause_incident_id = $5, pause_expires_at = $6
        WHERE id = $1 AND paused = NOT $2 RETURNING id, slug, paused`,
      [input.workspaceId, input.paused, actor.email, input.reason.trim(), input.incidentId!.trim(), input.paused ? (input.expiresAt ?? null) : null],
    );
    if (!rows[0]) throw conflict(`The workspace is already ${input.paused ? "paused" : "running"}; reload to see who changed it.`, "STALE_CONTROL");
    await recordAudit(client, {
      actor,
      action,
      targetType: "workspace",
      targetId: rows[0].slug,
      reason: input.reason,
      incidentId: input.incidentId,
      before: { paused: !input.paused },
      after: { paused: input.paused, expiresAt: input.expiresAt ?? null },
      outcome: "ok",
    });
    return rows[0];
  });
}

/** D10-05: the SRE lead suspends or restores a user's kill-switch privileges. */
export async function setKillSwitchSuspension(pool: pg.Pool, actor: Operator, input: { userId: string; suspended: boolean; reason: string; incidentId?: string | null }) {
  const action = input.suspended ? "controls.suspend_kill_switch" : "controls.restore_kill_switch";
  await requireAccountability(pool, actor, action, { type: "user", id: input.userId }, input);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `UPDATE users SET kill_switch_suspended = $2 WHERE id = $1 AND kill_switch_suspended = NOT $2 RETURNING id, email`,
      [input.userId, input.suspended],
    );
    if (!rows[0]) throw conflict(`That user's kill-switch privileges are already ${input.suspended ? "suspended" : "active"}.`, "STALE_CONTROL");
    await recordAudit(client, {
      actor,
      action,
      targetType: "user",
      targetId: rows[0].email,
      reason: input.reason,
      incidentId: input.incidentId,
      before: { killSwitchSuspended: !input.suspended },
      after: { killSwitchSuspended: input.suspended },
      outcome: "ok",
    });
    return rows[0];
  });
}

/** Reverts every control whose "resume automatically at" has passed, recorded as done by the system. */
export async function liftExpiredControls(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (client) => {
    const controls = await client.query<{ key: string; value: unknown; default_value: unknown }>(
      `WITH expired AS (SELECT key, value FROM ingestion_controls WHERE expires_at IS NOT NULL AND expires_at <= now() FOR UPDATE)
       UPDATE ingestion_controls c
          SET value = CASE WHEN c.key = 'mode' THEN '{"mode":"running"}'::jsonb ELSE '{"frozen":false}'::jsonb END,
              version = c.version + 1, set_by = 'system', set_at = now(), reason = 'automatic resume: expiry reached', expires_at = NULL
         FROM expired WHERE c.key = expired.key AND (c.key = 'mode' OR c.key LIKE 'freeze.%')
       RETURNING c.key, expired.value, c.value AS default_value`,
    );
    const workspaces = await client.query<{ slug: string }>(
      `UPDATE workspaces SET paused = false, paused_by = 'system', paused_at = now(), pause_reason = 'automatic resume: expiry reached', pause_expires_at = NULL
        WHERE paused AND pause_expires_at IS NOT NULL AND pause_expires_at <= now() RETURNING slug`,
    );
    for (const row of controls.rows) {
      await recordAudit(client, { actor: SYSTEM_ACTOR, action: "controls.auto_resume", targetType: "control", targetId: row.key, reason: "expiry reached", before: row.value, after: row.default_value, outcome: "ok" });
    }
    for (const row of workspaces.rows) {
      await recordAudit(client, { actor: SYSTEM_ACTOR, action: "controls.auto_resume", targetType: "workspace", targetId: row.slug, reason: "expiry reached", before: { paused: true }, after: { paused: false }, outcome: "ok" });
    }
    return controls.rowCount! + workspaces.rowCount!;
  });
}
