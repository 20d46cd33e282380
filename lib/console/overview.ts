import type pg from "pg";
import { readControls } from "@/lib/controls/controls";
import { stagingBloat } from "@/lib/ingestion/cleanup-staging";
import { NON_TERMINAL } from "@/lib/ingestion/transition";

export const THRESHOLDS = {
  errorRate: { warn: 0.05, page: 0.1, rollback: 0.2 },
  backlog: { warn: 10_000, critical: 500_000, oldestDays: 7 },
  stuckMinutes: 30,
};

export type Level = "ok" | "warn" | "critical";

export type Freshness = { workspace: string; platform: string; newestDate: string | null; expectedLagDays: number; lagDays: number | null; level: Level };

/** Data freshness per workspace × platform from the production table itself (WT-06), via the primary key. */
export async function freshness(pool: pg.Pool, now = new Date()): Promise<Freshness[]> {
  const { rows } = await pool.query<{ slug: string; platform: string; newest: string | null; lag: number; skip_weekends: boolean }>(
    `SELECT w.slug, p.platform::text AS platform, to_char(newest.date, 'YYYY-MM-DD') AS newest,
            coalesce((w.expected_lag_days ->> p.platform::text)::int, 1) AS lag, w.skip_weekends
       FROM workspaces w
      CROSS JOIN unnest(enum_range(NULL::"Platform")) AS p(platform)
       LEFT JOIN LATERAL (SELECT max(m.date) AS date FROM metrics m WHERE m.workspace_id = w.id AND m.platform = p.platform) newest ON true
      ORDER BY w.slug, p.platform`,
  );
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return rows.map((r) => {
    const lagDays = r.newest ? Math.round((today - Date.parse(r.newest)) / 86_400_000) : null;
    const allowed = r.lag + (r.skip_weekends && [0, 1].includes(new Date(today).getUTCDay()) ? 2 : 0);
    const level: Level = lagDays === null ? "ok" : lagDays > allowed + 2 ? "critical" : lagDays > allowed ? "warn" : "ok";
    return { workspace: r.slug, platform: r.platform, newestDate: r.newest, expectedLagDays: r.lag, lagDays, level };
  });
}

export async function overview(pool: pg.Pool) {
  const [controls, byStatus, hour, bloat, stuck, perHour, backlogSeries, fresh] = await Promise.all([
    readControls(pool),
    pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM uploads WHERE created_at > now() - interval '24 hours' GROUP BY status`),
    pool.query<{ total: number; failed: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM uploads WHERE created_at > now() - interval '1 hour'`,
    ),
    stagingBloat(pool),
    pool.query<{ id: string; file_name: string; status: string; updated_at: Date; slug: string }>(
      `SELECT u.id, u.file_name, u.status, u.updated_at, w.slug FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
        WHERE u.status = ANY($1::"UploadStatus"[]) AND u.updated_at < now() - make_interval(mins => $2) ORDER BY u.updated_at LIMIT 20`,
      [NON_TERMINAL, THRESHOLDS.stuckMinutes],
    ),
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
    freshness(pool),
  ]);
  const stuckCount = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM uploads WHERE status = ANY($1::"UploadStatus"[]) AND updated_at < now() - make_interval(mins => $2)`,
    [NON_TERMINAL, THRESHOLDS.stuckMinutes],
  );

  const errorRate = hour.rows[0].total ? hour.rows[0].failed / hour.rows[0].total : 0;
  const t = THRESHOLDS;
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
    mode: { effective: controls.effectiveMode, envHalt: controls.envHalt, setBy: controls.mode.setBy, setAt: controls.mode.setAt, reason: controls.mode.reason, incidentId: controls.mode.incidentId },
    frozen: Object.entries(controls.freezes).filter(([, e]) => e.value.frozen).map(([w]) => w),
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
    stuck: { count: stuckCount.rows[0].n, uploads: stuck.rows.map((r) => ({ id: r.id, fileName: r.file_name, status: r.status, since: r.updated_at, workspace: r.slug })) },
    freshness: fresh,
    charts: {
      uploadsPerHour: [...hours.values()],
      durations: [...durations.values()],
      backlog: backlogSeries.rows.map((r) => ({ at: r.at.toISOString(), rows: Number(r.rows) })),
    },
    thresholds: t,
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;
