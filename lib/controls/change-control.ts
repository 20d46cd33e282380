import type pg from "pg";
import { recordRefusal, requireAccountability, type Accountability, type AuditTarget } from "@/lib/audit/accountable";
import { recordAudit } from "@/lib/audit/record-audit";
import { SYSTEM_ACTOR, type Actor } from "@/lib/auth/actor";
import { decide, decideHalt, decideLiftHalt, type Action, type Decision, type HaltAuthority, type Severity } from "@/lib/auth/permissions";
import { withTransaction } from "@/lib/db/sql";
import { AppError, conflict, forbidden, notFound } from "@/lib/errors";
import { REVERTED_VALUE_SQL, type Mode, type Worker } from "./controls";
import type { IngestionControlsRow } from "@/lib/db/rows";

export type ChangeInput = {
  reason: string;
  incidentId?: string | null;
  /** "Resume automatically at": the control reverts after this time (see REVERTED_VALUE_SQL). */
  expiresAt?: Date | null;
  /** The version the operator saw; the change applies only if nobody changed the control since. */
  expectedVersion: number;
};

type ControlRow = Omit<IngestionControlsRow, "previous_value">;

function trimmed<I extends Accountability>(input: I): I {
  return { ...input, reason: input.reason?.trim(), incidentId: input.incidentId?.trim() };
}

/**
 * Locks the operator's user row (and any other users the change touches, in id order so that two
 * operators acting on each other cannot deadlock) and returns the operator with the suspension stored
 * now: a suspension committed before this point is seen, one committed later waits for this change.
 */
async function lockOperator(client: pg.PoolClient, actor: Actor, otherUsers: string[] = []): Promise<Actor> {
  const { rows } = await client.query<{ id: string; kill_switch_suspended: boolean }>(
    `SELECT id, kill_switch_suspended FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
    [[actor.id, ...otherUsers]],
  );
  const stored = rows.find((r) => r.id === actor.id);
  return { ...actor, killSwitchSuspended: Boolean(actor.killSwitchSuspended || stored?.kill_switch_suspended) };
}

/**
 * One operator change: reason and incident ID first, then — in one transaction, under a lock on the
 * operator's user row — the permission judged on their current suspension, then the change and its
 * audit row. A refusal (403) is audited outside the transaction that rolls back.
 */
async function operatorChange<T>(
  pool: pg.Pool,
  actor: Actor,
  change: { action: string; target: AuditTarget; input: Accountability; authorize: (op: Actor) => Decision; lockUsers?: string[] },
  work: (client: pg.PoolClient, op: Actor) => Promise<T>,
): Promise<T> {
  await requireAccountability(pool, actor, change.action, change.target, change.input);
  try {
    return await withTransaction(pool, async (client) => {
      const op = await lockOperator(client, actor, change.lockUsers);
      const decision = change.authorize(op);
      if (!decision.allowed) throw forbidden(`Not allowed: ${decision.reason}.`);
      return work(client, op);
    });
  } catch (error) {
    if (error instanceof AppError && error.status === 403) await recordRefusal(pool, actor, change.action, change.target, change.input, error);
    throw error;
  }
}

/**
 * Compare-and-set of one control row, audited in the same transaction. `next` sees the row as locked
 * and returns the new value, or throws a refusal that depends on it (lifting a halt).
 */
async function changeControl(
  pool: pg.Pool,
  actor: Actor,
  change: { action: string; key: string; authorize: (op: Actor) => Decision },
  rawInput: ChangeInput,
  next: (current: ControlRow, op: Actor) => unknown,
) {
  const input = trimmed(rawInput);
  return operatorChange(pool, actor, { ...change, target: { type: "control", id: change.key }, input }, async (client, op) => {
    const current = (await client.query<ControlRow>(`SELECT * FROM ingestion_controls WHERE key = $1 FOR UPDATE`, [change.key])).rows[0];
    if (!current) throw notFound(`Control ${change.key}`);
    if (current.version !== input.expectedVersion) {
      throw conflict(
        `This control changed since you loaded the page (now ${JSON.stringify(current.value)}, set by ${current.set_by} at ${current.set_at.toISOString()}). Reload and decide again.`,
        "STALE_CONTROL",
      );
    }
    const value = next(current, op);
    // The value to restore when this change expires: the one replaced, or — when that was itself
    // temporary — what it would have reverted to, so a temporary change never becomes the base.
    const { rows } = await client.query<ControlRow>(
      `UPDATE ingestion_controls c
          SET value = $2, previous_value = CASE WHEN c.expires_at IS NULL THEN c.value ELSE ${REVERTED_VALUE_SQL("c")} END,
              version = c.version + 1, set_by = $3, set_at = now(), reason = $4, incident_id = $5, expires_at = $6
        WHERE c.key = $1 AND c.version = $7
       RETURNING c.*`,
      [change.key, JSON.stringify(value), actor.email, input.reason, input.incidentId, input.expiresAt ?? null, input.expectedVersion],
    );
    const row = rows[0];
    await recordAudit(client, {
      actor,
      action: change.action,
      targetType: "control",
      targetId: change.key,
      reason: input.reason,
      incidentId: input.incidentId,
      before: current.value,
      after: { ...(row.value as object), expiresAt: row.expires_at },
      outcome: "ok",
    });
    return row;
  });
}

const MODE_ACTION: Record<Mode, Action> = { running: "controls.resume", draining: "controls.drain", halted: "controls.halt" };

type ModeValue = { mode: Mode; severity?: Severity | null; authority?: HaltAuthority };

/**
 * Pause (drain), halt or resume ingestion (D10-09). Halting needs the halt privilege, or on-call's
 * while declaring a P1; the halt records its severity and the privilege it was set under. Changing a
 * halt needs what setting it needed: on-call cannot lift a halt set by an SRE lead or ingestion owner.
 */
export async function setMode(pool: pg.Pool, actor: Actor, input: ChangeInput & { mode: Mode; severity?: Severity | null }) {
  const severity = input.severity ?? null;
  return changeControl(
    pool,
    actor,
    {
      action: MODE_ACTION[input.mode],
      key: "mode",
      authorize: (op) => (input.mode === "halted" ? decideHalt(op, severity) : decide(op, MODE_ACTION[input.mode])),
    },
    input,
    (current, op) => {
      const was = current.value as ModeValue;
      const expired = current.expires_at !== null && current.expires_at <= new Date();
      if (was.mode === "halted" && !expired) {
        // A halt stored before its authority was recorded counts as set under the halt privilege.
        const setUnder = was.authority ?? "controls.halt";
        const lift = decideLiftHalt(op, severity, setUnder);
        if (!lift.allowed) {
          const how = setUnder === "controls.halt" ? "with the halt privilege" : "during a declared P1";
          throw forbidden(`Not allowed: ${lift.reason} — this halt was set by ${current.set_by} ${how}.`);
        }
      }
      if (input.mode !== "halted") return severity ? { mode: input.mode, severity } : { mode: input.mode };
      const halt = decideHalt(op, severity);
      return { mode: "halted", severity, authority: halt.allowed ? halt.authority : "controls.halt" } satisfies ModeValue;
    },
  );
}

export function setWorkerFreeze(pool: pg.Pool, actor: Actor, input: ChangeInput & { worker: Worker; frozen: boolean }) {
  return changeControl(
    pool,
    actor,
    {
      action: input.frozen ? "controls.freeze_worker" : "controls.unfreeze_worker",
      key: `freeze.${input.worker}`,
      authorize: (op) => decide(op, "controls.freeze_worker"),
    },
    input,
    () => ({ frozen: input.frozen }),
  );
}

/** A rollout change; with an expiry it reverts to the phase and allowlist in force before it. */
export function setRollout(pool: pg.Pool, actor: Actor, input: ChangeInput & { phase: string; allowlist: string[] }) {
  return changeControl(pool, actor, { action: "controls.rollout", key: "rollout", authorize: (op) => decide(op, "controls.rollout") }, input, () => ({
    phase: input.phase,
    allowlist: [...new Set(input.allowlist)],
  }));
}

/** Per-workspace pause: compare-and-set on the paused flag the operator saw. */
export async function setWorkspacePause(
  pool: pg.Pool,
  actor: Actor,
  rawInput: Omit<ChangeInput, "expectedVersion"> & { workspaceId: string; paused: boolean },
) {
  const input = trimmed(rawInput);
  const action = input.paused ? "controls.workspace_pause" : "controls.workspace_resume";
  const target = { type: "workspace", id: input.workspaceId };
  return operatorChange(pool, actor, { action, target, input, authorize: (op) => decide(op, "controls.workspace_pause") }, async (client) => {
    const { rows } = await client.query(
      `UPDATE workspaces SET paused = $2, paused_by = $3, paused_at = now(), pause_reason = $4, pause_incident_id = $5, pause_expires_at = $6
        WHERE id = $1 AND paused = NOT $2 RETURNING id, slug, paused`,
      [input.workspaceId, input.paused, actor.email, input.reason, input.incidentId, input.paused ? (input.expiresAt ?? null) : null],
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

/**
 * D10-05: suspend or restore a user's kill-switch privileges. Both need controls.suspend_kill_switch,
 * which is itself a kill-switch privilege (a suspended user can lift no suspension, their own or
 * another's), and the target must be someone else.
 */
export async function setKillSwitchSuspension(
  pool: pg.Pool,
  actor: Actor,
  rawInput: { userId: string; suspended: boolean; reason: string; incidentId?: string | null },
) {
  const input = trimmed(rawInput);
  const action = input.suspended ? "controls.suspend_kill_switch" : "controls.restore_kill_switch";
  const target = { type: "user", id: input.userId };
  const authorize = (op: Actor) => decide(op, "controls.suspend_kill_switch");
  return operatorChange(pool, actor, { action, target, input, authorize, lockUsers: [input.userId] }, async (client) => {
    if (input.userId === actor.id) {
      throw forbidden("You cannot change your own kill-switch privileges; another SRE lead or admin must.", "SELF_KILL_SWITCH");
    }
    const { rows } = await client.query<{ id: string; email: string }>(
      `UPDATE users SET kill_switch_suspended = $2 WHERE id = $1 AND kill_switch_suspended = NOT $2 RETURNING id, email`,
      [input.userId, input.suspended],
    );
    if (!rows[0]) {
      const exists = await client.query(`SELECT 1 FROM users WHERE id = $1`, [input.userId]);
      if (!exists.rowCount) throw notFound("User");
      throw conflict(`That user's kill-switch privileges are already ${input.suspended ? "suspended" : "active"}.`, "STALE_CONTROL");
    }
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

/** Reverts every control whose expiry has passed (REVERTED_VALUE_SQL), recorded as done by the system. */
export async function liftExpiredControls(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (client) => {
    const controls = await client.query<{ key: string; value: unknown; reverted: unknown }>(
      `WITH expired AS (SELECT key, value FROM ingestion_controls WHERE expires_at IS NOT NULL AND expires_at <= now() FOR UPDATE)
       UPDATE ingestion_controls c
          SET value = ${REVERTED_VALUE_SQL("c")}, previous_value = NULL,
              version = c.version + 1, set_by = 'system', set_at = now(), reason = 'automatic revert: expiry reached', expires_at = NULL
         FROM expired WHERE c.key = expired.key
       RETURNING c.key, expired.value, c.value AS reverted`,
    );
    const workspaces = await client.query<{ slug: string }>(
      `UPDATE workspaces SET paused = false, paused_by = 'system', paused_at = now(), pause_reason = 'automatic resume: expiry reached', pause_expires_at = NULL
        WHERE paused AND pause_expires_at IS NOT NULL AND pause_expires_at <= now() RETURNING slug`,
    );
    for (const row of controls.rows) {
      await recordAudit(client, {
        actor: SYSTEM_ACTOR,
        action: "controls.auto_resume",
        targetType: "control",
        targetId: row.key,
        reason: "expiry reached",
        before: row.value,
        after: row.reverted,
        outcome: "ok",
      });
    }
    for (const row of workspaces.rows) {
      await recordAudit(client, {
        actor: SYSTEM_ACTOR,
        action: "controls.auto_resume",
        targetType: "workspace",
        targetId: row.slug,
        reason: "expiry reached",
        before: { paused: true },
        after: { paused: false },
        outcome: "ok",
      });
    }
    return controls.rowCount! + workspaces.rowCount!;
  });
}
