import type { Queryable } from "@/lib/db/sql";
import { closedSnapshot, STATE_VALUE, type BreakerSnapshot, type BreakerState } from "./breaker-state";
import { snapshotFromRow } from "./circuit-breaker";
import { BREAKER_NAMES } from "./registry";

export type BreakerEventView = { id: number; from: BreakerState; to: BreakerState; reason: string | null; failureCount: number; at: Date };
export type BreakerView = Omit<BreakerSnapshot, "version"> & { stateValue: number; history: BreakerEventView[] };

/** Every known breaker (CLOSED until its first failure) with its latest transitions, newest first. */
export async function listBreakers(db: Queryable, options: { historyLimit?: number } = {}): Promise<BreakerView[]> {
  const limit = Math.min(Math.max(options.historyLimit ?? 20, 0), 500);
  const [states, events] = await Promise.all([
    db.query(`SELECT * FROM circuit_breakers`),
    db.query<{ id: string; breaker: string; from_state: BreakerState; to_state: BreakerState; reason: string | null; failure_count: number; at: Date }>(
      `SELECT e.* FROM circuit_breakers b
         CROSS JOIN LATERAL (SELECT * FROM circuit_breaker_events e WHERE e.breaker = b.name ORDER BY e.id DESC LIMIT $1) e
        ORDER BY e.breaker, e.id DESC`,
      [limit],
    ),
  ]);
  const stored = new Map(states.rows.map((r) => [r.name as string, snapshotFromRow(r)]));
  const names = [...new Set<string>([...BREAKER_NAMES, ...stored.keys()])];
  return names.map((name) => {
    const { version: _version, ...s } = stored.get(name) ?? closedSnapshot(name);
    return {
      ...s,
      stateValue: STATE_VALUE[s.state],
      history: events.rows
        .filter((e) => e.breaker === name)
        .map((e) => ({ id: Number(e.id), from: e.from_state, to: e.to_state, reason: e.reason, failureCount: e.failure_count, at: e.at })),
    };
  });
}
