import { z } from "zod";
import { SEVERITIES } from "@/lib/auth/permissions";
import type { Queryable } from "@/lib/db/sql";
import { env } from "@/lib/env";
import type { IngestionControlsRow } from "@/lib/db/rows";

export const MODES = ["running", "draining", "halted"] as const;
export type Mode = (typeof MODES)[number];
export const WORKERS = ["parse", "promote", "cleanup"] as const;
export type Worker = (typeof WORKERS)[number];
export const PHASES = ["P0", "P1", "P2", "P3", "P4"] as const;

const valueSchemas = {
  /** A halt also records the severity declared with it and the privilege it was set under (D10-09). */
  mode: z.object({
    mode: z.enum(MODES),
    severity: z.enum(SEVERITIES).nullish(),
    authority: z.enum(["controls.halt", "controls.halt_p1"]).optional(),
  }),
  freeze: z.object({ frozen: z.boolean() }),
  rollout: z.object({ phase: z.enum(PHASES), allowlist: z.array(z.string()) }),
};

export type ControlEntry<V> = {
  key: string;
  value: V;
  version: number;
  setBy: string;
  setAt: Date;
  reason: string | null;
  incidentId: string | null;
  expiresAt: Date | null;
};

export type Controls = {
  /** The mode stored in the database (after expiry). */
  mode: ControlEntry<z.infer<typeof valueSchemas.mode>>;
  /** INGESTION_ENABLED=false forces halt regardless of the database. */
  envHalt: boolean;
  effectiveMode: Mode;
  freezes: Record<Worker, ControlEntry<{ frozen: boolean }>>;
  rollout: ControlEntry<{ phase: (typeof PHASES)[number]; allowlist: string[] }>;
};

/** What a control holds when it has no row. */
export const DEFAULTS = { mode: { mode: "running" as Mode }, freeze: { frozen: false }, rollout: { phase: "P0" as const, allowlist: [] as string[] } };

/**
 * What a control reverts to when its expiry passes ("resume automatically at"): the mode resumes, a
 * freeze thaws, and a rollout returns to the phase in force before the temporary change — never to an
 * empty P0 allowlist that would shut out every workspace. `c` names the row; the JS twin is `revertedValue`.
 */
export const REVERTED_VALUE_SQL = (c: string) => `CASE WHEN ${c}.key = 'mode' THEN '{"mode":"running"}'::jsonb
  WHEN ${c}.key LIKE 'freeze.%' THEN '{"frozen":false}'::jsonb
  ELSE coalesce(${c}.previous_value, '${JSON.stringify(DEFAULTS.rollout)}'::jsonb) END`;

type Row = IngestionControlsRow;

function revertedValue(row: Row, fallback: unknown): unknown {
  if (row.key === "mode" || row.key.startsWith("freeze.")) return fallback;
  return row.previous_value ?? fallback;
}

function entry<V>(row: Row | undefined, key: string, schema: z.ZodType<V>, fallback: V, now: Date): ControlEntry<V> {
  if (!row) return { key, value: fallback, version: 0, setBy: "default", setAt: new Date(0), reason: null, incidentId: null, expiresAt: null };
  const expired = row.expires_at !== null && row.expires_at <= now;
  return {
    key,
    value: schema.parse(expired ? revertedValue(row, fallback) : row.value),
    version: row.version,
    setBy: row.set_by,
    setAt: row.set_at,
    reason: row.reason,
    incidentId: row.incident_id,
    expiresAt: row.expires_at,
  };
}

export async function readControls(db: Queryable, now = new Date()): Promise<Controls> {
  const { rows } = await db.query<Row>(`SELECT key, value, previous_value, version, set_by, set_at, reason, incident_id, expires_at FROM ingestion_controls`);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const mode = entry(byKey.get("mode"), "mode", valueSchemas.mode, DEFAULTS.mode, now);
  const envHalt = !env().INGESTION_ENABLED;
  const freezes = Object.fromEntries(
    WORKERS.map((w) => [w, entry(byKey.get(`freeze.${w}`), `freeze.${w}`, valueSchemas.freeze, DEFAULTS.freeze, now)]),
  ) as Controls["freezes"];
  const rollout = entry(byKey.get("rollout"), "rollout", valueSchemas.rollout, DEFAULTS.rollout, now);
  return { mode, envHalt, effectiveMode: envHalt ? "halted" : mode.value.mode, freezes, rollout };
}

/** Whether a worker may do work now: not halted (database or environment) and not frozen. */
export function workerBlockedReason(controls: Controls, worker: Worker): string | null {
  if (controls.envHalt) return "halted by INGESTION_ENABLED=false";
  if (controls.mode.value.mode === "halted") return `halted by ${controls.mode.setBy}`;
  if (controls.freezes[worker].value.frozen) return `${worker} worker frozen by ${controls.freezes[worker].setBy}`;
  return null;
}

/**
 * SQL predicate that is true while `worker` may transition uploads. Evaluated inside every worker
 * transition, so a halt or freeze committed before the statement starts always wins (D10-09).
 */
export const WORKER_ALLOWED_SQL = (workerParam: string) => `NOT EXISTS (
  SELECT 1 FROM ingestion_controls c
  WHERE (c.expires_at IS NULL OR c.expires_at > now())
    AND ((c.key = 'mode' AND c.value->>'mode' = 'halted')
      OR (c.key = 'freeze.' || ${workerParam} AND (c.value->>'frozen')::boolean)))`;

export function workspaceAllowedByRollout(controls: Controls, slug: string): boolean {
  return controls.rollout.value.phase === "P4" || controls.rollout.value.allowlist.includes(slug);
}
