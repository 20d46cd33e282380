import type pg from "pg";
import { INCIDENT_ID_REFUSALS } from "@/lib/audit/accountable";
import { STATE_VALUE, type BreakerState } from "@/lib/breakers/breaker-state";
import { WORKER_ALLOWED_SQL } from "@/lib/controls/controls";
import type { Platform } from "@/lib/ingestion/parse/aliases";
import { log } from "@/lib/log";
import { fileStore } from "@/lib/storage";
import type { Firing, Severity, SignalId } from "./catalog";
import type { SignalConfig } from "./config";
import { partialLosses, type CampaignLoss } from "./partial-losses";
import { readErrorRate, readFreshness, readQueue, readStaging, readStuckUploads } from "./readings";

export type SignalContext = { pool: pg.Pool; now: Date; config: SignalConfig; concurrencyLimit: number };
type Evaluator = (ctx: SignalContext) => Promise<Firing[]>;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const n = (x: number) => x.toLocaleString("en-US");
const minutes = (seconds: number) => `${Math.round(seconds / 60)} min`;

const errorRate: Evaluator = async ({ pool, now, config }) => {
  const c = config.errorRate;
  const r = await readErrorRate(pool, now, c.windowMinutes);
  if (r.total < c.minUploads || r.rate < c.warn) return [];
  const severity: Severity = r.rate >= c.rollback ? "critical" : r.rate >= c.page ? "page" : "warning";
  const advice =
    severity === "critical"
      ? `At ≥ ${pct(c.rollback)} D8 §4.2 says roll back: kill switch, then the rollout flag.`
      : severity === "page"
        ? `At ≥ ${pct(c.page)} D8 §4.1 says pause (drain) while investigating.`
        : "Tell the team in #ingestion-rollout and watch the trend.";
  const codes = Object.entries(r.byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code} ×${count}`)
    .join(", ");
  return [
    {
      signal: "error_rate",
      fingerprint: "error_rate",
      severity,
      value: r.rate,
      title: `Error rate ${pct(r.rate)} over the last ${c.windowMinutes} min`,
      detail: `${r.failed} of ${r.total} uploads created in the last ${c.windowMinutes} min failed (${codes}). ${advice}`,
      data: { ...r, windowMinutes: c.windowMinutes },
    },
  ];
};

const breakerOpen: Evaluator = async ({ pool }) => {
  const { rows } = await pool.query<{
    name: string;
    state: BreakerState;
    failure_count: number;
    last_error: string | null;
    opened_at: Date | null;
    next_attempt_at: Date | null;
  }>(`SELECT name, state, failure_count, last_error, opened_at, next_attempt_at FROM circuit_breakers WHERE state <> 'CLOSED' ORDER BY name`);
  return rows.map((b) => ({
    signal: "breaker_open",
    fingerprint: `breaker:${b.name}`,
    severity: "page",
    value: STATE_VALUE[b.state],
    title: `Circuit breaker ${b.name} is ${b.state}`,
    detail:
      `${b.name} opened at ${b.opened_at?.toISOString() ?? "?"} after ${b.failure_count} failures; last error: ${b.last_error ?? "none recorded"}. ` +
      (b.state === "OPEN" ? `Next probe at ${b.next_attempt_at?.toISOString() ?? "?"}.` : "A probe is in flight."),
    data: { breaker: b.name, state: b.state, failureCount: b.failure_count, lastError: b.last_error, openedAt: b.opened_at, nextAttemptAt: b.next_attempt_at },
  }));
};

/**
 * A database outage short enough that no breaker state could be stored (the breakers persist in the
 * database that was down) is still in the readiness samples: the minutes sampled while it was
 * unreachable are written once it is back (lib/signals/readiness-samples.ts).
 */
const DATABASE_LOOKBACK_MINUTES = 30;
const databaseUnavailable: Evaluator = async ({ pool, now }) => {
  const { rows } = await pool.query<{ minutes: number; first: Date | null; last: Date | null; detail: string | null }>(
    `SELECT count(*)::int AS minutes, min(minute) AS first, max(minute) AS last, (array_agg(coalesce(detail, failed_check) ORDER BY minute DESC))[1] AS detail
       FROM readiness_samples
      WHERE NOT ok AND minute > $1::timestamptz - $2::float8 * interval '1 minute' AND minute <= $1::timestamptz`,
    [now, DATABASE_LOOKBACK_MINUTES],
  );
  const r = rows[0];
  if (!r.minutes) return [];
  return [
    {
      signal: "database_unavailable",
      fingerprint: "database_unavailable",
      severity: "page",
      value: r.minutes,
      title: `Not ready for ${r.minutes} minute(s) in the last ${DATABASE_LOOKBACK_MINUTES} min`,
      detail:
        `Readiness failed from ${r.first!.toISOString()} to ${r.last!.toISOString()} (${r.minutes} sampled minute(s)); last error: ${r.detail ?? "none recorded"}. ` +
        `Check the database and the breakers; uploads refused meanwhile are retried by the clients.`,
      data: { minutes: r.minutes, first: r.first, last: r.last, lastError: r.detail, lookbackMinutes: DATABASE_LOOKBACK_MINUTES },
    },
  ];
};

const stuckUpload: Evaluator = async ({ pool, now, config }) => {
  const { uploads } = await readStuckUploads(pool, now, config.stuckMinutes);
  return uploads.map((u) => ({
    signal: "stuck_upload",
    fingerprint: `stuck:${u.id}`,
    severity: "page",
    value: u.minutes,
    workspaceId: u.workspaceId,
    uploadId: u.id,
    title: `Upload ${u.fileName} (${u.workspace}) stuck in ${u.status} for ${u.minutes} min`,
    detail:
      `In ${u.status} since ${u.since.toISOString()} (> ${config.stuckMinutes} min); ${n(u.parsedRecords)} records parsed, attempt ${u.attempts}` +
      `${u.lockedBy ? `, lease held by ${u.lockedBy}` : ", no lease held"}. Resume or abort (force-fail); never force-promote (D10-10).`,
    data: { ...u },
  }));
};

const stagingBacklog: Evaluator = async ({ pool, now, config }) => {
  const c = config.staging;
  const s = await readStaging(pool, now);
  const ageDays = s.oldestAgeSeconds / 86_400;
  const critical = s.rows > c.criticalRows || (s.rows > 0 && ageDays > c.criticalAgeDays);
  if (!critical && s.rows <= c.warnRows) return [];
  const reasons = [
    s.rows > c.criticalRows
      ? `${n(s.rows)} rows (> ${n(c.criticalRows)})`
      : s.rows > c.warnRows
        ? `${n(s.rows)} rows (> ${n(c.warnRows)})`
        : `${n(s.rows)} rows`,
    ageDays > c.criticalAgeDays ? `oldest held since ${s.oldestAt!.toISOString()} (> ${c.criticalAgeDays} days)` : null,
  ].filter(Boolean);
  return [
    {
      signal: "staging_backlog",
      fingerprint: "staging_backlog",
      severity: critical ? "critical" : "warning",
      value: s.rows,
      title: `Staging backlog: ${n(s.rows)} rows`,
      detail: `Staging holds ${reasons.join(", ")}. Pause ingestion if it keeps growing; clean up with the reviewed D8 procedure, never automatically (D10-08).`,
      data: { rows: s.rows, oldestAt: s.oldestAt, oldestAgeSeconds: s.oldestAgeSeconds },
    },
  ];
};

const queuePressure: Evaluator = async ({ pool, now, config, concurrencyLimit }) => {
  const c = config.queue;
  const limit = c.depthLimit ?? concurrencyLimit;
  const q = await readQueue(pool, now, c.latencyLookbackMinutes);
  const overDepth = q.depth > limit;
  const slow = q.maxLatencySeconds > c.parseLatencyMinutes * 60;
  if (!overDepth && !slow) return [];
  const parts = [
    overDepth ? `${q.depth} uploads waiting for or in parsing (limit ${limit})` : null,
    slow ? `parse latency ${minutes(q.maxLatencySeconds)} (> ${c.parseLatencyMinutes} min; upload ${q.slowest?.id}, ${q.slowest?.status})` : null,
  ].filter(Boolean);
  return [
    {
      signal: "queue_pressure",
      fingerprint: "queue_pressure",
      severity: "warning",
      value: q.depth,
      title: overDepth ? `Queue depth ${q.depth} over the limit of ${limit}` : `Parse latency ${minutes(q.maxLatencySeconds)}`,
      detail: `${parts.join("; ")}. Throttle new uploads and let in-flight ones finish (D10-07).`,
      data: { ...q, limit },
    },
  ];
};

const ledgerMismatch: Evaluator = async ({ pool, now, config }) => {
  const { rows } = await pool.query<{
    id: string;
    workspace_id: string;
    file_name: string;
    status: string;
    total_rows: number;
    valid_rows: number;
    invalid_rows: number;
    ignored_rows: number;
    promoted_rows: number;
    error_code: string | null;
    error_text: string | null;
  }>(
    `SELECT id, workspace_id, file_name, status::text AS status, total_rows, valid_rows, invalid_rows, ignored_rows, promoted_rows, error_code, error_text
       FROM uploads
      WHERE total_rows <> valid_rows + invalid_rows + ignored_rows
         OR (status IN ('completed', 'partial') AND promoted_rows <> valid_rows)
         OR (error_code = 'DATA_LOSS' AND failed_at > $1::timestamptz - $2::float8 * interval '1 hour')
      ORDER BY updated_at DESC LIMIT 100`,
    [now, config.ledgerLookbackHours],
  );
  return rows.map((u) => {
    const sum = u.valid_rows + u.invalid_rows + u.ignored_rows;
    const problems = [
      u.total_rows !== sum
        ? `total ${n(u.total_rows)} ≠ valid ${n(u.valid_rows)} + invalid ${n(u.invalid_rows)} + ignored ${n(u.ignored_rows)} (${n(sum)})`
        : null,
      ["completed", "partial"].includes(u.status) && u.promoted_rows !== u.valid_rows ? `${n(u.promoted_rows)} promoted of ${n(u.valid_rows)} valid` : null,
      u.error_code === "DATA_LOSS" ? `failed with DATA_LOSS: ${u.error_text ?? ""}` : null,
    ].filter(Boolean);
    return {
      signal: "ledger_mismatch",
      fingerprint: `ledger:${u.id}`,
      severity: "critical",
      value: u.total_rows - sum,
      workspaceId: u.workspace_id,
      uploadId: u.id,
      title: `Row ledger does not add up for ${u.file_name}`,
      detail: `${problems.join("; ")}. Treat as a DATA LOSS incident: pause the worker and audit the skipped rows (D10-03).`,
      data: { ...u },
    } satisfies Firing;
  });
};

const partialPromotion: Evaluator = async ({ pool }) => {
  const { rows } = await pool.query<{
    id: string;
    workspace_id: string;
    slug: string;
    platform: string;
    file_name: string;
    total_rows: number;
    valid_rows: number;
    invalid_rows: number;
    promoted_rows: number;
    staged_rows: number;
    rerun_blocked: boolean;
    storage_key: string;
    rules: { rule: string; count: number }[] | null;
    campaigns: CampaignSummary[] | null;
  }>(
    `SELECT u.id, u.workspace_id, w.slug, u.platform::text AS platform, u.file_name, u.total_rows, u.valid_rows, u.invalid_rows, u.promoted_rows,
            u.staged_rows, u.rerun_blocked, u.storage_key,
            (SELECT a.data->'notFullyPromoted' FROM alerts a WHERE a.active_fingerprint = 'partial:' || u.id) AS campaigns,
            (SELECT json_agg(json_build_object('rule', rule, 'count', c) ORDER BY c DESC)
               FROM (SELECT rule, count(*)::int AS c FROM row_issues i WHERE i.upload_id = u.id AND i.kind = 'invalid' GROUP BY rule) g) AS rules
       FROM uploads u
       JOIN workspaces w ON w.id = u.workspace_id
       LEFT JOIN partial_reviews r ON r.upload_id = u.id
      WHERE u.status = 'partial' AND r.upload_id IS NULL
      ORDER BY u.completed_at LIMIT 200`,
  );
  const firings: Firing[] = [];
  for (const { storage_key: storageKey, campaigns: known, ...u } of rows) {
    const rules = (u.rules ?? []).map((r) => `${r.rule} ×${r.count}`).join(", ");
    // Which campaigns were not fully loaded is read once, when the alert opens, and kept in its data.
    const campaigns =
      known ??
      (await partialLosses(pool, fileStore(), { id: u.id, platform: u.platform as Platform, storageKey, fromStaging: u.staged_rows > 0 })).campaigns
        .slice(0, 50)
        .map(summarize);
    firings.push({
      signal: "partial_promotion",
      fingerprint: `partial:${u.id}`,
      severity: "warning",
      value: u.invalid_rows,
      workspaceId: u.workspace_id,
      uploadId: u.id,
      title: `Partial promotion: ${u.file_name} (${u.slug}, ${u.platform}) — ${n(u.invalid_rows)} rows not loaded`,
      detail:
        `${n(u.promoted_rows)} of ${n(u.valid_rows + u.invalid_rows)} data rows promoted; not loaded: ${rules || "see row issues"}. ` +
        `Campaigns not fully loaded: ${describeCampaigns(campaigns)}. ` +
        `Staging rows are kept (${n(u.staged_rows)}) and automatic re-runs are ${u.rerun_blocked ? "blocked" : "NOT blocked"}. Tell the client (D10-02).`,
      data: { ...u, notFullyPromoted: campaigns },
    });
  }
  return firings;
};

type CampaignSummary = {
  campaignId: string | null;
  campaignName: string | null;
  rowsLost: number;
  rules: string[];
  firstDate: string | null;
  lastDate: string | null;
};

function summarize(c: CampaignLoss): CampaignSummary {
  return {
    campaignId: c.campaignId,
    campaignName: c.campaignName,
    rowsLost: c.rowsLost,
    rules: c.byRule.map((r) => r.rule),
    firstDate: c.dates[0] ?? null,
    lastDate: c.dates.at(-1) ?? null,
  };
}

function describeCampaigns(campaigns: CampaignSummary[]): string {
  if (!campaigns.length) return "none could be read from the rows";
  const shown = campaigns.slice(0, 5).map((c) => {
    const name = c.campaignName && c.campaignId ? `${c.campaignName} (${c.campaignId})` : (c.campaignId ?? c.campaignName ?? "campaign unreadable");
    const when = c.firstDate ? (c.firstDate === c.lastDate ? ` on ${c.firstDate}` : ` ${c.firstDate}…${c.lastDate}`) : "";
    return `${name} −${n(c.rowsLost)} [${c.rules.join(", ")}]${when}`;
  });
  return shown.join("; ") + (campaigns.length > 5 ? `; and ${campaigns.length - 5} more` : "");
}

/**
 * D10-01 over the uploads promoted in the look-back: each day they wrote whose total spend moved more
 * than the threshold against the day before. $1 now, $2 look-back hours, $3 threshold.
 */
export const SPEND_DELTA_SQL = `WITH recent AS (
     SELECT u.id, u.workspace_id, u.platform, u.first_date, u.last_date, EXISTS (SELECT 1 FROM promotion_day_totals t WHERE t.upload_id = u.id) AS recorded
       FROM uploads u
      WHERE u.status IN ('completed', 'partial') AND u.completed_at > $1::timestamptz - $2::float8 * interval '1 hour' AND u.completed_at <= $1::timestamptz),
   -- The days a recent promotion moved beyond the threshold, by the day totals it recorded, compared here
   -- at this threshold: only those days (and the day before each) are read again from metrics, to
   -- see whether they still are. An upload whose promotion recorded nothing (promoted before the record
   -- existed, or written by hand) has every day of its span read, or, without a span, its rows looked up.
   moved AS (
     SELECT r.workspace_id, r.platform, d.date FROM recent r
       JOIN promotion_day_totals d ON d.upload_id = r.id AND d.written
       JOIN promotion_day_totals p ON p.upload_id = r.id AND p.date = d.date - 1
      WHERE p.total > 0 AND abs(d.total - p.total) / p.total > $3),
   days AS (
     SELECT workspace_id, platform, date FROM moved
     UNION
     SELECT workspace_id, platform, date - 1 FROM moved
     UNION
     SELECT r.workspace_id, r.platform, d::date FROM recent r, generate_series(r.first_date - 1, r.last_date, interval '1 day') d WHERE NOT r.recorded
     UNION
     SELECT m.workspace_id, m.platform, m.date + k FROM recent r JOIN metrics m ON m.upload_id = r.id, (VALUES (-1), (0)) v(k)
      WHERE NOT r.recorded AND r.first_date IS NULL),
   -- One index lookup per day, whatever the planner guesses of how many days there are: as a join it
   -- hashed the days (guessed by the million) and read every metric, 1.5 s a minute with 1M of them.
   daily AS (
     SELECT d.workspace_id, d.platform, d.date, x.total, x.written, x.uploads
       FROM days d, LATERAL (
         SELECT sum(m.spend) AS total, bool_or(m.upload_id IN (SELECT id FROM recent)) AS written, array_agg(DISTINCT m.upload_id::text) AS uploads
           FROM metrics m WHERE m.workspace_id = d.workspace_id AND m.platform = d.platform AND m.date = d.date) x
      WHERE x.total IS NOT NULL),
   -- Each day beside the one before it (when that day is among them), in date order rather than by a self-join.
   paired AS (
     SELECT d.*, lag(d.total) OVER w AS previous, lag(d.date) OVER w AS previous_date FROM daily d
     WINDOW w AS (PARTITION BY d.workspace_id, d.platform ORDER BY d.date)),
   totals AS (
     SELECT workspace_id, platform, date, total AS current, previous, uploads FROM paired WHERE written AND previous_date = date - 1)
   SELECT t.workspace_id, w.slug, t.platform::text AS platform, to_char(t.date, 'YYYY-MM-DD') AS date, t.previous, t.current, t.uploads
     FROM totals t JOIN workspaces w ON w.id = t.workspace_id
    WHERE t.previous > 0 AND abs(t.current - t.previous) / t.previous > $3
    ORDER BY w.slug, t.platform, t.date LIMIT 1000`;

const spendDelta: Evaluator = async ({ pool, now, config }) => {
  const c = config.spendDelta;
  const { rows } = await pool.query<{
    workspace_id: string;
    slug: string;
    platform: string;
    date: string;
    previous: string;
    current: string;
    uploads: string[];
  }>(SPEND_DELTA_SQL, [now, c.lookbackHours, c.threshold]);
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.workspace_id}:${r.platform}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, days]) => {
    const deltas = days.map((d) => ({
      date: d.date,
      previous: Number(d.previous),
      current: Number(d.current),
      change: Number(d.current) / Number(d.previous) - 1,
      uploads: d.uploads,
    }));
    const worst = deltas.reduce((a, b) => (Math.abs(b.change) > Math.abs(a.change) ? b : a));
    const uploads = [...new Set(deltas.flatMap((d) => d.uploads))];
    return {
      signal: "spend_delta",
      fingerprint: `spend_delta:${key}`,
      severity: "warning",
      value: worst.change,
      workspaceId: days[0].workspace_id,
      title: `Spend ${worst.change > 0 ? "+" : ""}${pct(worst.change)} day over day on ${worst.date} (${days[0].slug}, ${days[0].platform})`,
      detail:
        `${deltas.length} day(s) moved more than ±${pct(c.threshold)} against the day before: ` +
        deltas
          .slice(0, 5)
          .map((d) => `${d.date} ${d.previous.toFixed(2)} → ${d.current.toFixed(2)}`)
          .join("; ") +
        `. Written by upload(s) ${uploads.slice(0, 5).join(", ")}. If wrong, freeze promotion and compare staging with production (D10-01).`,
      data: { workspace: days[0].slug, platform: days[0].platform, deltas, uploads },
    } satisfies Firing;
  });
};

const freshness: Evaluator = async ({ pool, now }) => {
  const readings = await readFreshness(pool, now);
  return readings
    .filter((f) => f.stale)
    .map((f) => ({
      signal: "freshness",
      fingerprint: `freshness:${f.workspaceId}:${f.platform}`,
      severity: "page",
      value: f.behindDays,
      workspaceId: f.workspaceId,
      title: `${f.workspace} ${f.platform} data is ${f.behindDays} ${f.skipWeekends ? "business " : ""}day(s) old (expected lag ${f.expectedLagDays})`,
      detail:
        `The newest ${f.platform} metric date for ${f.workspace} is ${f.newestDate}; with an expected report lag of ${f.expectedLagDays} day(s)` +
        `${f.skipWeekends ? " (weekends not counted)" : ""} data is overdue. Pipeline green is not data fresh: check the last uploads and the workers (WT-06).`,
      data: { ...f },
    }));
};

const ANOMALY_WORKERS = ["parse", "promote"] as const;
const WAITING_FOR = { parse: ["pending", "processing"], promote: ["staged", "promoting"] } as const;

const workerAnomaly: Evaluator = async ({ pool, now, config }) => {
  const c = config.workerAnomaly;
  const firings: Firing[] = [];
  for (const worker of ANOMALY_WORKERS) {
    const latest = await pool.query<{ id: string; started_at: Date; duration_ms: number; items: number; backlog: number; outcome: string }>(
      `SELECT id, started_at, duration_ms, items, backlog, outcome FROM worker_runs
        WHERE worker = $1 AND finished_at IS NOT NULL AND finished_at > $2::timestamptz - $3::float8 * interval '1 minute' AND finished_at <= $2::timestamptz
        ORDER BY started_at DESC LIMIT 1`,
      [worker, now, c.lookbackMinutes],
    );
    const run = latest.rows[0];
    if (!run || run.outcome !== "ok" || run.backlog <= 0) continue;
    if (run.items === 0) {
      // Idle with a backlog is only suspicious if some of that work was claimable when the run started.
      const claimable = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM uploads u JOIN workspaces w ON w.id = u.workspace_id
          WHERE u.status = ANY($1::"UploadStatus"[]) AND u.created_at < $2
            AND (u.lease_expires_at IS NULL OR u.lease_expires_at < $2) AND NOT u.rerun_blocked
            AND NOT (w.paused AND (w.pause_expires_at IS NULL OR w.pause_expires_at > $2))
            AND ${WORKER_ALLOWED_SQL("$3")}`,
        [WAITING_FOR[worker], run.started_at, worker],
      );
      const waiting = Number(claimable.rows[0].n);
      if (waiting > 0) {
        firings.push({
          signal: "worker_anomaly",
          fingerprint: `worker_anomaly:${worker}`,
          severity: "warning",
          value: 0,
          title: `The ${worker} worker did nothing while ${waiting} upload(s) waited`,
          detail: `Run ${run.id} at ${run.started_at.toISOString()} finished "ok" with 0 items while ${run.backlog} upload(s) waited (${waiting} claimable). Exit status is not health (WT-06).`,
          data: { worker, runId: run.id, startedAt: run.started_at, backlog: run.backlog, claimable: waiting, items: 0 },
        });
      }
      continue;
    }
    const history = await pool.query<{ avg: number | null; samples: string }>(
      `SELECT avg(duration_ms)::float8 AS avg, count(*) AS samples FROM (
         SELECT duration_ms FROM worker_runs
          WHERE worker = $1 AND outcome = 'ok' AND backlog > 0 AND items > 0 AND duration_ms IS NOT NULL AND started_at < $2
          ORDER BY started_at DESC LIMIT $3) s`,
      [worker, run.started_at, c.sampleSize],
    );
    const avg = history.rows[0].avg;
    const samples = Number(history.rows[0].samples);
    if (avg === null || samples < c.minSamples || run.duration_ms >= c.ratio * avg) continue;
    const ratio = run.duration_ms / avg;
    firings.push({
      signal: "worker_anomaly",
      fingerprint: `worker_anomaly:${worker}`,
      severity: "warning",
      value: ratio,
      title: `The ${worker} worker finished in ${(ratio * 100).toFixed(0)} % of its usual time`,
      detail:
        `Run ${run.id} took ${run.duration_ms} ms for ${run.items} items with ${run.backlog} upload(s) waiting; its rolling average over ${samples} runs is ${Math.round(avg)} ms ` +
        `(< ${c.ratio} ×). A run that is suddenly fast may have skipped work (WT-06): check what it processed.`,
      data: { worker, runId: run.id, durationMs: run.duration_ms, rollingAverageMs: avg, samples, items: run.items, backlog: run.backlog },
    });
  }
  return firings;
};

const haltViolation: Evaluator = async ({ pool, now, config }) => {
  const { rows: controls } = await pool.query<{ key: string; set_at: Date; set_by: string }>(
    `SELECT key, set_at, set_by FROM ingestion_controls
      WHERE (expires_at IS NULL OR expires_at > $1::timestamptz)
        AND ((key = 'mode' AND value->>'mode' = 'halted') OR (key LIKE 'freeze.%' AND (value->>'frozen')::boolean))`,
    [now],
  );
  const firings: Firing[] = [];
  for (const control of controls) {
    const pattern = control.key === "mode" ? "worker:%" : `worker:${control.key.slice("freeze.".length)}:%`;
    const { rows } = await pool.query<{
      id: string;
      upload_id: string;
      from_status: string | null;
      to_status: string;
      actor: string;
      created_at: Date;
      total: string;
    }>(
      `SELECT id, upload_id, from_status::text AS from_status, to_status::text AS to_status, actor, created_at, count(*) OVER () AS total
         FROM upload_events
        WHERE created_at > $1::timestamptz + $2::float8 * interval '1 second' AND created_at <= $3::timestamptz AND actor LIKE $4
        ORDER BY id LIMIT 20`,
      [control.set_at, config.haltGraceSeconds, now, pattern],
    );
    if (!rows.length) continue;
    const what = control.key === "mode" ? "ingestion was halted" : `the ${control.key.slice(7)} worker was frozen`;
    firings.push({
      signal: "halt_violation",
      fingerprint: `halt_violation:${control.key}`,
      severity: "critical",
      value: Number(rows[0].total),
      uploadId: rows[0].upload_id,
      title: `${rows[0].total} worker transition(s) after ${what}`,
      detail:
        `${what[0].toUpperCase()}${what.slice(1)} by ${control.set_by} at ${control.set_at.toISOString()}, yet ${rows[0].total} transition(s) followed, first ` +
        `${rows[0].from_status ?? "∅"}→${rows[0].to_status} of upload ${rows[0].upload_id} by ${rows[0].actor}. Shut the workers down by hand; P1 (D10-09).`,
      data: { control: control.key, setAt: control.set_at, setBy: control.set_by, events: rows.map(({ total: _t, ...e }) => e) },
    });
  }
  return firings;
};

const killSwitchUnaccountable: Evaluator = async ({ pool, now, config }) => {
  const { rows } = await pool.query<{ actor_email: string; refused: string; unaccountable: string; actions: string[]; last_at: Date }>(
    `SELECT actor_email,
            count(*) FILTER (WHERE outcome = 'refused') AS refused,
            count(*) FILTER (WHERE outcome = 'ok') AS unaccountable,
            array_agg(DISTINCT action) AS actions, max(at) AS last_at
       FROM audit_log
      WHERE at > $1::timestamptz - $2::float8 * interval '1 minute' AND at <= $1::timestamptz
        AND action LIKE 'controls.%'
        AND ((outcome = 'refused' AND refused_code = ANY($3::text[]))
          OR (outcome = 'ok' AND actor_email <> 'system' AND coalesce(btrim(incident_id), '') = ''))
      GROUP BY actor_email ORDER BY actor_email`,
    [now, config.killSwitchLookbackMinutes, INCIDENT_ID_REFUSALS],
  );
  return rows.map((r) => {
    const refused = Number(r.refused);
    const bypassed = Number(r.unaccountable);
    return {
      signal: "kill_switch_unaccountable",
      fingerprint: `kill_switch:${r.actor_email}`,
      severity: "page",
      value: refused + bypassed,
      title: `${r.actor_email}: ${refused + bypassed} kill-switch change(s) without an incident ID`,
      detail:
        `In the last ${config.killSwitchLookbackMinutes} min ${r.actor_email} attempted ${r.actions.join(", ")} without an incident ID` +
        `${refused ? ` (${refused} refused)` : ""}${bypassed ? `; ${bypassed} went through without one — roll it back` : ""}. ` +
        `Escalate to the SRE Lead, who may suspend kill-switch privileges (D10-05).`,
      data: { actor: r.actor_email, refused, bypassed, actions: r.actions, lastAt: r.last_at },
    } satisfies Firing;
  });
};

/** Every signal's evaluator (the unacknowledged-alert signal is the alert lifecycle's escalation). */
export const EVALUATORS: Partial<Record<SignalId, Evaluator>> = {
  error_rate: errorRate,
  breaker_open: breakerOpen,
  database_unavailable: databaseUnavailable,
  stuck_upload: stuckUpload,
  staging_backlog: stagingBacklog,
  queue_pressure: queuePressure,
  ledger_mismatch: ledgerMismatch,
  partial_promotion: partialPromotion,
  spend_delta: spendDelta,
  freshness,
  worker_anomaly: workerAnomaly,
  halt_violation: haltViolation,
  kill_switch_unaccountable: killSwitchUnaccountable,
};

export type Evaluation = {
  now: Date;
  firings: Firing[];
  /** Signals that evaluated without error: only their alerts may resolve. */
  evaluated: SignalId[];
  errors: { signal: SignalId; error: string }[];
};

/** Evaluates every signal from the data; one failing signal is reported, never hides the others. */
export async function evaluateSignals(ctx: SignalContext): Promise<Evaluation> {
  const entries = Object.entries(EVALUATORS) as [SignalId, Evaluator][];
  const firings: Firing[] = [];
  const evaluated: SignalId[] = [];
  const errors: Evaluation["errors"] = [];
  for (const [signal, evaluate] of entries) {
    try {
      firings.push(...(await evaluate(ctx)));
      evaluated.push(signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ signal, error: message });
      log.error("monitor.signal_failed", { signal, error: message });
    }
  }
  return { now: ctx.now, firings, evaluated, errors };
}
