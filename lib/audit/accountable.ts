import type { Queryable } from "@/lib/db/sql";
import { env } from "@/lib/env";
import { AppError, badRequest } from "@/lib/errors";
import { recordAudit, type AuditEntry } from "./record-audit";

export type Accountability = { reason?: string | null; incidentId?: string | null; expiresAt?: Date | null };
export type AuditTarget = { type: string; id: string };

const DEFAULT_INCIDENT_ID_PATTERN = "^[A-Z][A-Z0-9]+-\\d+$";

/** The form incident IDs must take (INCIDENT_ID_PATTERN), with an example when the pattern is the default one. */
export function incidentIdFormat(pattern = env().INCIDENT_ID_PATTERN): { pattern: string; example: string | null; hint: string } {
  const example = pattern === DEFAULT_INCIDENT_ID_PATTERN ? "INC-1234" : null;
  const hint = example ? `like ${example}: capital letters or digits starting with a letter, a dash, then a number` : `matching the pattern ${pattern}`;
  return { pattern, example, hint };
}

/** The refusal codes of a missing or malformed incident ID; the kill_switch_unaccountable signal counts them. */
export const INCIDENT_ID_REFUSALS = ["INCIDENT_ID_REQUIRED", "BAD_INCIDENT_ID"] as const;

/** Null when the incident ID has the configured form; otherwise the error that names the expected form. */
export function checkIncidentId(incidentId: string, pattern = env().INCIDENT_ID_PATTERN): AppError | null {
  if (new RegExp(pattern).test(incidentId.trim())) return null;
  return badRequest(`Incident ID "${incidentId.trim()}" is not in the expected form: use an ID ${incidentIdFormat(pattern).hint}.`, "BAD_INCIDENT_ID");
}

/** Records a refused operator action. Pass the pool, not a transaction that is about to roll back. */
export async function recordRefusal(
  db: Queryable,
  actor: AuditEntry["actor"],
  action: string,
  target: AuditTarget,
  input: Accountability,
  error: AppError,
): Promise<void> {
  await recordAudit(db, {
    actor,
    action,
    targetType: target.type,
    targetId: target.id,
    reason: input.reason,
    incidentId: input.incidentId,
    outcome: "refused",
    refusedCode: error.code,
    refusedReason: error.message,
  });
}

/** Records a refused operator action, then throws the refusal. */
export async function refuse(
  db: Queryable,
  actor: AuditEntry["actor"],
  action: string,
  target: AuditTarget,
  input: Accountability,
  error: AppError,
): Promise<never> {
  await recordRefusal(db, actor, action, target, input, error);
  throw error;
}

/** D10-05: every operator action names a reason and an incident in the expected form; a refusal is recorded too. */
export async function requireAccountability(db: Queryable, actor: AuditEntry["actor"], action: string, target: AuditTarget, input: Accountability) {
  if (!input.incidentId?.trim()) await refuse(db, actor, action, target, input, badRequest("An incident ID is required.", "INCIDENT_ID_REQUIRED"));
  const badId = checkIncidentId(input.incidentId!);
  if (badId) await refuse(db, actor, action, target, input, badId);
  if (!input.reason?.trim()) await refuse(db, actor, action, target, input, badRequest("A reason is required.", "REASON_REQUIRED"));
  if (input.expiresAt && input.expiresAt <= new Date()) {
    await refuse(db, actor, action, target, input, badRequest("The automatic resume time must be in the future.", "BAD_EXPIRY"));
  }
}
