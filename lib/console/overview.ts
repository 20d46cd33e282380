import type pg from "pg";
import { readControls } from "@/lib/controls/controls";
import { stagingBloat } from "@/lib/uploads/staging-rows";
import { listBreakers } from "@/lib/breakers/list-breakers";
import { readFreshness, readStuckUploads } from "@/lib/signals/readings";
import { resolveSignalConfig } from "@/lib/signals/resolve-config";

export type Level = "ok" | "warn" | "critical";

export async function overview(pool: pg.Pool) {
  // The same thresholds the monitor alerts on (docs/signals.md defaults, SIGNAL_THRESHOLDS overrides).
  const config = resolveSignalConfig();
  const t = {
    errorRate: config.errorRate,
    backlog: { warn: config.staging.warnRows, critical: config.staging.criticalRows, oldestDays: config.staging.criticalAgeDays },
    stuckMinutes: config.stuckMinutes,
  };
  const [controls, byStatus, hour, bloat, stuck, perHour, backlogSeries, fresh, breakers] = await Promise.all([
    readControls(pool),
    pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM uploads WHERE created_at > now() - interval '24 hours' GROUP BY status`),
    pool.query<{ total: number; failed: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM uploads WHERE created_at > now() - interval '1 hour'`,
    ),
    stagingBloat(pool),
    readStuckUploads(pool, new Date(), t.stuckMinutes, 20),
    pool.query<{ hour: Date; status: string; n: number; p50: number | null; p99: number | null }>(
      `SELECT date_trunc('hour', created_at) AS hour, status, count(*)::int AS n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) AS p99
         FROM uploads WHERE created_at > now() - interval '24 hours' GROUP BY 1, 2 ORDER BY 1`,
    ),
    pool.query<{ at: Date; rows: string }>(
      `SELECT date_bin('15 minutes', started_at, timestamptz '2000-01-01') AS at, max((summary -> 'bloat' ->> 'rows')::bigint) AS rows
         FROM worker_runs WHERE worker = 'cleanup' AND started_at > now() - interval '24 hours' AND summary ? 'bloat' GROUP BY 1 ORDER BY 1`,
    ),
    readFreshness(pool, new Date()),
    listBreakers(pool, { historyLimit: 0 }),
  ]);
  const errorRate = hour.rows[0].total ? hour.rows[0].failed / hour.rows[0].total : 0;
  const hours = new Map<string, { hour: string; [status: string]: number | string | null }>();
  const durations = new Map<string, { hour: string; p50: number | null; p99: number | null }>();
  for (const r of perHour.rows) {
    const key = r.hour.toISOString();
    const entry = hours.get(key) ?? { hour: key };
    entry[r.status] = r.n;
    hours.set(key, entry);
    if (r.status === "completed" || r.status === "partial") {
      const d = durations.get(key) ?? { hour: key, p50: null, p99: null };
      d.p50 = Math.max(d.p50 ?? 0, r.p50 ?? 0);
      d.p99 = Math.max(d.p99 ?? 0, r.p99 ?? 0);
      durations.set(key, d);
    }
  }
  const oldestDays = bloat.oldestAt ? (Date.now() - bloat.oldestAt.getTime()) / 86_400_000 : 0;
  return {
    generatedAt: new Date().toISOString(),
    mode: {
      effective: controls.effectiveMode,
      envHalt: controls.envHalt,
      setBy: controls.mode.setBy,
      setAt: controls.mode.setAt,
      reason: controls.mode.reason,
      incidentId: controls.mode.incidentId,
    },
    frozen: Object.entries(controls.freezes)
      .filter(([, e]) => e.value.frozen)
      .map(([w]) => w),
    uploads24h: Object.fromEntries(byStatus.rows.map((r) => [r.status, r.n])) as Record<string, number>,
    errorRate: {
      value: errorRate,
      failed: hour.rows[0].failed,
      total: hour.rows[0].total,
      level: (errorRate >= t.errorRate.page ? "critical" : errorRate >= t.errorRate.warn ? "warn" : "ok") as Level,
      rollbackAdvised: errorRate >= t.errorRate.rollback,
    },
    backlog: {
      rows: bloat.rows,
      oldestAt: bloat.oldestAt,
      oldestDays,
      level: (bloat.rows > t.backlog.critical || oldestDays > t.backlog.oldestDays ? "critical" : bloat.rows > t.backlog.warn ? "warn" : "ok") as Level,
    },
    stuck,
    breakers: breakers.map((b) => ({ name: b.name, state: b.state, lastError: b.lastError })),
    // WT-06, with the same rule the monitor alerts on: critical once a feed is twice its expected lag behind.
    freshness: fresh.map((f) => ({ ...f, level: (!f.stale ? "ok" : f.behindDays > 2 * Math.max(1, f.expectedLagDays) ? "critical" : "warn") as Level })),
    charts: {
      uploadsPerHour: [...hours.values()],
      durations: [...durations.values()],
      backlog: backlogSeries.rows.map((r) => ({ at: r.at.toISOString(), rows: Number(r.rows) })),
    },
    thresholds: t,
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;
