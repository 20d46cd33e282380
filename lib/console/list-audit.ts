import type pg from "pg";
import { z } from "zod";
import { Filter } from "@/lib/db/filter";

export const auditFiltersSchema = z.object({
  actor: z.string().trim().optional(),
  action: z.string().trim().optional(),
  outcome: z.enum(["ok", "refused"]).optional(),
  incident: z.string().trim().optional(),
  page: z.coerce.number().int().min(1).default(1),
});

export async function listAudit(pool: pg.Pool, filters: z.infer<typeof auditFiltersSchema>) {
  const filter = new Filter()
    .contains("actor_email", filters.actor)
    .contains("action", filters.action)
    .where((p) => `outcome = ${p}`, filters.outcome)
    .where((p) => `incident_id = ${p}`, filters.incident);
  const { rows } = await pool.query(`SELECT * FROM audit_log ${filter.clause} ORDER BY id DESC LIMIT 100 OFFSET ${(filters.page - 1) * 100}`, filter.params);
  return rows.map((r) => ({
    id: Number(r.id),
    at: (r.at as Date).toISOString(),
    actor: r.actor_email as string,
    roles: r.actor_roles as string[],
    action: r.action as string,
    target: `${r.target_type}${r.target_id ? `:${r.target_id}` : ""}`,
    reason: r.reason as string | null,
    incidentId: r.incident_id as string | null,
    before: r.before,
    after: r.after,
    outcome: r.outcome as string,
    refusedReason: r.refused_reason as string | null,
  }));
}
