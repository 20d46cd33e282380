import type { Queryable } from "@/lib/db/sql";

export type AuditEntry = {
  /** The columns written of who acted (any Actor of lib/auth fits; the log does not depend on auth). */
  actor: { id?: string | null; email: string; roles: readonly string[] };
  action: string;
  targetType: string;
  targetId?: string | null;
  reason?: string | null;
  incidentId?: string | null;
  before?: unknown;
  after?: unknown;
} & (
  | { outcome: "ok" }
  /** A refusal keeps the error's stable code (signals key on it) beside the message shown to the operator. */
  | { outcome: "refused"; refusedCode: string; refusedReason: string }
);

/** Appends one audit row. Pass the transaction's client so the row commits with the change it records. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_id, actor_email, actor_roles, action, target_type, target_id, reason, incident_id, before, after, outcome, refused_code, refused_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      entry.actor.id ?? null,
      entry.actor.email,
      entry.actor.roles,
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.reason ?? null,
      entry.incidentId ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.outcome,
      entry.outcome === "refused" ? entry.refusedCode : null,
      entry.outcome === "refused" ? entry.refusedReason : null,
    ],
  );
}
