import type pg from "pg";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import type { Actor } from "@/lib/auth/actor";
import { withTransaction } from "@/lib/db/sql";
import { badRequest, conflict } from "@/lib/errors";
import type { Pingable } from "@/lib/db/readiness";
import { MANUAL_ITEMS } from "./checklist";
import { launchStatus } from "./launch-status";
import type { launchDecisionSchema, launchTickSchema } from "./launch.schema";
import { refuse } from "@/lib/audit/accountable";

/** A named person ticks (or unticks) one Day-0 item; kept with who and when, audited. */
export async function tickLaunchItem(pool: pg.Pool, actor: Actor, input: z.infer<typeof launchTickSchema>) {
  const item = MANUAL_ITEMS.find((i) => i.key === input.item)!;
  const note = input.note?.trim() || null;
  if (input.checked && "noteLabel" in item && !note)
    throw badRequest(`"${item.label}" needs the ${item.noteLabel.toLowerCase()} with the tick.`, "NOTE_REQUIRED");
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(`INSERT INTO launch_ticks (item, checked, by_email, by_id, note) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`, [
      input.item,
      input.checked,
      actor.email,
      actor.id ?? null,
      note,
    ]);
    await recordAudit(client, {
      actor,
      action: "launch.check",
      targetType: "launch_item",
      targetId: input.item,
      after: { checked: input.checked, note },
      outcome: "ok",
    });
    return { item: input.item, checked: input.checked, by: actor.email, at: rows[0].created_at as Date, note };
  });
}

/**
 * D8 §1.5: the go/no-go decision, recorded with who decided and when and the checklist as it stood.
 * "Go" is refused while any live check fails or any item is unticked, naming them; "no-go" always records.
 */
export async function decideLaunch(pool: pg.Pool, store: Pingable, actor: Actor, input: z.infer<typeof launchDecisionSchema>) {
  const status = await launchStatus(pool, store);
  if (input.decision === "go" && status.open.length) {
    const error = conflict(`Not every item is done: ${status.open.join("; ")}.`, "CHECKLIST_INCOMPLETE");
    await refuse(pool, actor, "launch.decide", { type: "launch", id: "go" }, { reason: input.reason }, error);
  }
  const snapshot = {
    checks: status.checks.map((c) => ({ key: c.key, level: c.level, detail: c.detail })),
    ticks: status.manual.map((m) => ({ key: m.key, tick: m.tick })),
  };
  return withTransaction(pool, async (client) => {
    const launchTime = status.manual.find((m) => m.key === "go.launch_time")?.tick?.note ?? null;
    const { rows } = await client.query(
      `INSERT INTO launch_decisions (decision, decided_by, decided_by_id, reason, launch_time, checklist) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at`,
      [input.decision, actor.email, actor.id ?? null, input.reason, launchTime, JSON.stringify(snapshot)],
    );
    await recordAudit(client, {
      actor,
      action: "launch.decide",
      targetType: "launch",
      targetId: String(rows[0].id),
      reason: input.reason,
      after: { decision: input.decision },
      outcome: "ok",
    });
    return { decision: input.decision, by: actor.email, at: rows[0].created_at as Date, reason: input.reason };
  });
}
