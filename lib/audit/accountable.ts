import type { Queryable } from "@/lib/db/sql";
import { AppError, badRequest } from "@/lib/errors";
import { recordAudit, type AuditActor } from "./record-audit";

export type Accountability = { reason?: string | null; incidentId?: string | null; expiresAt?: Date | null };
export type AuditTarget = { type: string; id: string };

/** Records a refused operator action, then throws the refusal. */
export async function refuse(db: Queryable, actor: AuditActor, action: string, target: AuditTarget, input: Accountability, error: AppError): Promise<never> {
  await recordAudit(db, {
    actor,
    action,
    targetType: target.type,
    targetId: target.id,
    reason: input.reason,
    incidentId: input.incidentId,
    outcome: "refused",
    refusedReason: error.message,
  });
  throw error;
}

/** D10-05: every operator action names a reason and an incident; a refusal is recorded too. */
export async function requireAccountability(db: Queryable, actor: AuditActor, action: string, target: AuditTarget, input: Accountability) {
  if (!input.incidentId?.trim()) await refuse(db, actor, action, target, input, badRequest("An incident ID is required.", "INCIDENT_ID_REQUIRED"));
  if (!input.reason?.trim()) await refuse(db, actor, action, target, input, badRequest("A reason is required.", "REASON_REQUIRED"));
  if (input.expiresAt && input.expiresAt <= new Date()) {
    await refuse(db, actor, action, target, input, badRequest("The automatic resume time must be in the future.", "BAD_EXPIRY"));
  }
}
