import type pg from "pg";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { assertWindow, type AcceptedUnknownInput } from "./incident.schema";
import type { AcceptedUnknownsRow } from "@/lib/db/rows";

/**
 * D10-04: alert rules that stayed silent through an abnormal period are acknowledged as an ACCEPTED
 * UNKNOWN — the period and its impact written down, no runtime change — by the PM (D10 §8 DOCUMENT).
 */
export type AcceptedUnknown = {
  id: string;
  incidentId: string | null;
  title: string;
  from: string;
  to: string;
  impact: string;
  recordedBy: string;
  recordedAt: string;
};

function toAcceptedUnknown(r: AcceptedUnknownsRow): AcceptedUnknown {
  return {
    id: r.id,
    incidentId: r.incident_id,
    title: r.title,
    from: r.from_at.toISOString(),
    to: r.to_at.toISOString(),
    impact: r.impact,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at.toISOString(),
  };
}

export async function recordAcceptedUnknown(pool: pg.Pool, actor: Actor, input: AcceptedUnknownInput): Promise<AcceptedUnknown> {
  assertWindow(input.from, input.to);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO accepted_unknowns (id, incident_id, title, from_at, to_at, impact, recorded_by) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6) RETURNING *`,
      [input.incidentId || null, input.title, input.from, input.to, input.impact, actor.email],
    );
    await recordAudit(client, {
      actor,
      action: "incident.accept_unknown",
      targetType: "accepted_unknown",
      targetId: rows[0].id,
      incidentId: input.incidentId || null,
      reason: input.impact,
      after: { title: input.title, from: input.from, to: input.to },
      outcome: "ok",
    });
    return toAcceptedUnknown(rows[0]);
  });
}

/** Newest first; with an incident ID, those recorded under it or overlapping the window. */
export async function listAcceptedUnknowns(
  db: Queryable,
  options: { incidentId?: string; from?: Date; to?: Date; limit?: number } = {},
): Promise<AcceptedUnknown[]> {
  const { rows } = options.incidentId
    ? await db.query(`SELECT * FROM accepted_unknowns WHERE incident_id = $1 OR (from_at < $3 AND to_at > $2) ORDER BY recorded_at DESC LIMIT $4`, [
        options.incidentId,
        options.from ?? new Date(0),
        options.to ?? new Date(0),
        options.limit ?? 50,
      ])
    : await db.query(`SELECT * FROM accepted_unknowns ORDER BY recorded_at DESC LIMIT $1`, [options.limit ?? 50]);
  return rows.map(toAcceptedUnknown);
}
