import type pg from "pg";
import { Counter, Gauge, Registry, type Histogram } from "prom-client";
import { STATE_VALUE, type BreakerState } from "@/lib/breakers/breaker-state";
import { BREAKER_NAMES } from "@/lib/breakers/registry";
import { readControls } from "@/lib/controls/controls";
import { UPLOAD_STATUSES } from "@/lib/uploads/transition";
import { SEVERITIES } from "./catalog";
import { readFreshness, readQueue, readStaging, readStuckUploads } from "./readings";
import { resolveSignalConfig } from "./resolve-config";

/** Upper bounds (seconds) of ingestion_duration_seconds. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
export const DURATION_STAGES = ["parse", "promote", "total"] as const;
const PLATFORMS = ["meta", "google", "tiktok"] as const;
export const MONITORED_WORKERS = ["parse", "promote", "cleanup", "monitor"] as const;

type HistogramSeries = { labels: Record<string, string>; cumulative: number[]; sum: number; count: number };

/**
 * A histogram whose buckets were counted by PostgreSQL: prom-client renders it like its own, but the
 * values are the database's, so every instance reports the same numbers.
 */
function registerPrecomputedHistogram(registry: Registry, name: string, help: string, buckets: number[], series: HistogramSeries[]) {
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get: async () => ({
      name,
      help,
      type: "histogram",
      aggregator: "sum",
      values: series.flatMap((s) => [
        ...buckets.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...s.labels, le: String(le) }, value: s.cumulative[i] })),
        { metricName: `${name}_bucket`, labels: { ...s.labels, le: "+Inf" }, value: s.count },
        { metricName: `${name}_sum`, labels: s.labels, value: s.sum },
        { metricName: `${name}_count`, labels: s.labels, value: s.count },
      ]),
    }),
  };
  registry.registerMetric(metric as unknown as Histogram);
}

const REACHED: Record<(typeof UPLOAD_STATUSES)[number], string> = {
  pending: "true",
  processing: "started_at IS NOT NULL",
  staged: "staged_at IS NOT NULL",
  promoting: "promoting_at IS NOT NULL",
  completed: "status = 'completed'",
  partial: "status = 'partial'",
  failed: "status = 'failed'",
};

/** The Prometheus exposition, from the database, in a fresh registry per call. */
export async function renderMetrics(pool: pg.Pool, options: { now?: Date } = {}): Promise<{ contentType: string; body: string }> {
  const now = options.now ?? new Date();
  const config = resolveSignalConfig();
  const bucketSql = DURATION_BUCKETS.map((b) => `count(*) FILTER (WHERE s <= ${b})::float8`).join(", ");
  const [reached, inFlight, errors, durations, breakers, staging, stuck, freshness, workers, queue, alerts, controls] = await Promise.all([
    pool.query<Record<string, string>>(
      `SELECT platform::text AS platform, ${UPLOAD_STATUSES.map((s) => `count(*) FILTER (WHERE ${REACHED[s]}) AS "${s}"`).join(", ")} FROM uploads GROUP BY platform`,
    ),
    pool.query<{ status: string; n: number }>(
      `SELECT status::text AS status, count(*)::int AS n FROM uploads WHERE status IN ('pending', 'processing', 'staged', 'promoting') GROUP BY status`,
    ),
    pool.query<{ code: string; n: string }>(`SELECT coalesce(error_code, 'UNKNOWN') AS code, count(*) AS n FROM uploads WHERE status = 'failed' GROUP BY 1`),
    pool.query<{ stage: string; count: number; sum: number; buckets: number[] }>(
      `WITH d AS (
         SELECT 'parse' AS stage, extract(epoch FROM staged_at - started_at)::float8 AS s FROM uploads WHERE staged_at IS NOT NULL AND started_at IS NOT NULL
         UNION ALL
         SELECT 'promote', extract(epoch FROM completed_at - promoting_at)::float8 FROM uploads WHERE status IN ('completed', 'partial') AND promoting_at IS NOT NULL
         UNION ALL
         SELECT 'total', extract(epoch FROM completed_at - created_at)::float8 FROM uploads WHERE status IN ('completed', 'partial') AND completed_at IS NOT NULL)
       SELECT stage, count(*)::float8 AS count, coalesce(sum(s), 0)::float8 AS sum, array[${bucketSql}] AS buckets FROM d GROUP BY stage`,
    ),
    pool.query<{ name: string; state: BreakerState }>(`SELECT name, state FROM circuit_breakers`),
    readStaging(pool, now),
    readStuckUploads(pool, now, config.stuckMinutes, 1),
    readFreshness(pool, now),
    pool.query<{ worker: string; last_success: Date | null; last_run: Date | null }>(
      `SELECT w.worker,
              (SELECT finished_at FROM worker_runs r WHERE r.worker = w.worker AND r.outcome = 'ok' AND r.finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1) AS last_success,
              (SELECT finished_at FROM worker_runs r WHERE r.worker = w.worker AND r.finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1) AS last_run
         FROM unnest($1::text[]) AS w(worker)`,
      [MONITORED_WORKERS],
    ),
    readQueue(pool, now, config.queue.latencyLookbackMinutes),
    pool.query<{ severity: string; n: number }>(
      `SELECT severity::text AS severity, count(*)::int AS n FROM alerts WHERE active_fingerprint IS NOT NULL GROUP BY 1`,
    ),
    readControls(pool, now),
  ]);

  const registry = new Registry();
  const uploads = new Counter({
    name: "ingestion_uploads_total",
    help: "Uploads that reached each status (terminal statuses are final; earlier ones count every upload that passed through).",
    labelNames: ["status", "platform"],
    registers: [registry],
  });
  // Every status × platform is present from the start, so increase() has a baseline for the first upload.
  for (const platform of PLATFORMS) {
    const row = reached.rows.find((r) => r.platform === platform);
    for (const status of UPLOAD_STATUSES) uploads.inc({ status, platform }, Number(row?.[status] ?? 0));
  }

  const current = new Gauge({
    name: "ingestion_uploads_in_flight",
    help: "Uploads currently in each non-terminal status.",
    labelNames: ["status"],
    registers: [registry],
  });
  for (const status of ["pending", "processing", "staged", "promoting"]) current.set({ status }, inFlight.rows.find((r) => r.status === status)?.n ?? 0);

  const errorsTotal = new Counter({ name: "ingestion_errors_total", help: "Failed uploads by error code.", labelNames: ["code"], registers: [registry] });
  for (const row of errors.rows) errorsTotal.inc({ code: row.code }, Number(row.n));

  registerPrecomputedHistogram(
    registry,
    "ingestion_duration_seconds",
    "Upload duration per stage: parse = started → staged, promote = promoting → completed/partial, total = created → completed/partial.",
    DURATION_BUCKETS,
    DURATION_STAGES.map((stage) => {
      const row = durations.rows.find((r) => r.stage === stage);
      return { labels: { stage }, cumulative: row?.buckets ?? DURATION_BUCKETS.map(() => 0), sum: row?.sum ?? 0, count: row?.count ?? 0 };
    }),
  );

  const breakerState = new Gauge({
    name: "ingestion_circuit_breaker_state",
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
    labelNames: ["breaker"],
    registers: [registry],
  });
  const stored = new Map(breakers.rows.map((b) => [b.name, b.state]));
  for (const name of new Set<string>([...BREAKER_NAMES, ...stored.keys()])) breakerState.set({ breaker: name }, STATE_VALUE[stored.get(name) ?? "CLOSED"]);

  new Gauge({ name: "ingestion_staging_backlog_rows", help: "Staging rows held (from the uploads' counters).", registers: [registry] }).set(staging.rows);
  new Gauge({ name: "ingestion_staging_oldest_age_seconds", help: "Age of the oldest upload still holding staging rows.", registers: [registry] }).set(
    staging.oldestAgeSeconds,
  );
  new Gauge({
    name: "ingestion_stuck_uploads",
    help: `Uploads in one non-terminal state for more than ${config.stuckMinutes} minutes.`,
    registers: [registry],
  }).set(stuck.count);
  new Gauge({ name: "ingestion_queue_depth", help: "Uploads waiting for or in parsing.", registers: [registry] }).set(queue.depth);
  new Gauge({
    name: "ingestion_parse_latency_seconds",
    help: "Longest created → staged time among uploads waiting or staged recently.",
    registers: [registry],
  }).set(queue.maxLatencySeconds);

  const lag = new Gauge({
    name: "ingestion_freshness_lag_seconds",
    help: "Seconds since the end of the newest metric date, per workspace and platform.",
    labelNames: ["workspace", "platform"],
    registers: [registry],
  });
  const stale = new Gauge({
    name: "ingestion_freshness_stale",
    help: "1 when the newest metric date is older than the workspace's expected report lag (weekend-aware), else 0.",
    labelNames: ["workspace", "platform"],
    registers: [registry],
  });
  for (const f of freshness) {
    lag.set({ workspace: f.workspace, platform: f.platform }, f.lagSeconds);
    stale.set({ workspace: f.workspace, platform: f.platform }, f.stale ? 1 : 0);
  }

  const lastSuccess = new Gauge({
    name: "ingestion_worker_last_success_timestamp_seconds",
    help: "Unix time of the worker's last successful run.",
    labelNames: ["worker"],
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: "ingestion_worker_last_run_timestamp_seconds",
    help: "Unix time of the worker's last finished run, whatever its outcome.",
    labelNames: ["worker"],
    registers: [registry],
  });
  for (const w of workers.rows) {
    if (w.last_success) lastSuccess.set({ worker: w.worker }, Math.floor(w.last_success.getTime() / 1000));
    if (w.last_run) lastRun.set({ worker: w.worker }, Math.floor(w.last_run.getTime() / 1000));
  }

  const active = new Gauge({
    name: "ingestion_alerts_active",
    help: "Open or acknowledged alerts by severity.",
    labelNames: ["severity"],
    registers: [registry],
  });
  for (const severity of SEVERITIES) active.set({ severity }, alerts.rows.find((r) => r.severity === severity)?.n ?? 0);

  const mode = new Gauge({
    name: "ingestion_mode",
    help: "1 for the effective ingestion mode (running, draining, halted).",
    labelNames: ["mode"],
    registers: [registry],
  });
  for (const m of ["running", "draining", "halted"]) mode.set({ mode: m }, controls.effectiveMode === m ? 1 : 0);

  return { contentType: registry.contentType, body: await registry.metrics() };
}
