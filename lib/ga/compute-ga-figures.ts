import type { Queryable } from "@/lib/db/sql";
import { gaWindow, isoDay, type GaWindow } from "./ga-window";

/** D8 §6.1 targets. */
export const GA_TARGETS = {
  errorRate: 0.01,
  p99LatencyMinutes: 10,
  availability: 0.995,
  breakerEvents: 0,
  manualInterventions: 0,
} as const;

export type FigureStatus = "pass" | "fail" | "no_data" | "info";
export type FigureKey = "errorRate" | "p99Latency" | "availability" | "breakerEvents" | "manualInterventions" | "totalUploads";

export type Figure = {
  key: FigureKey;
  label: string;
  /** The measured value in its unit (a ratio, minutes or a count); null without data. */
  value: number | null;
  display: string;
  target: string;
  status: FigureStatus;
  /** How it was computed from what, in words the PM can check. */
  detail: string;
};

export type GaDay = {
  day: string;
  created: number;
  processed: number;
  failed: number;
  errorRate: number | null;
  p99Minutes: number | null;
  availability: number | null;
  breakerTrips: number;
  interventions: number;
};

export type Intervention = { at: string; actor: string; action: string; target: string; reason: string | null; incidentId: string | null };
export type BreakerTrip = { at: string; breaker: string; from: string; to: string; reason: string | null };

export type GaFigures = {
  window: { firstDay: string; lastDay: string; start: string; end: string; days: number };
  computedAt: string;
  figures: Record<FigureKey, Figure>;
  /** True only when every judged figure passes (no "fail", no "no data"). */
  allPass: boolean;
  daily: GaDay[];
  interventions: Intervention[];
  breakerTrips: BreakerTrip[];
  /** Evidence for the qualitative checklist (not judged): pages and resolved runbook executions in the window. */
  context: { pages: number; pagesPerWeek: number; runbookExecutionsResolved: number; runbookExecutionsOpen: number };
};

/**
 * Actor actions that count as a manual intervention in the ingestion (D8 §6.1 "target 0"): pausing,
 * halting, resuming, freezing, per-workspace pauses, force-fails, approved staging cleanups, and moving
 * the rollout back a phase (D8 §4.2). Only rows done by people (not the system actor) and not refused.
 * Signing, acknowledging alerts, notes and moving the rollout forward are not interventions.
 */
export const INTERVENTION_ACTIONS = [
  "controls.drain",
  "controls.halt",
  "controls.resume",
  "controls.freeze_worker",
  "controls.unfreeze_worker",
  "controls.workspace_pause",
  "controls.workspace_resume",
  "upload.force_fail",
  "cleanup.approve",
] as const;

const INTERVENTION_SQL = `a.outcome = 'ok' AND a.actor_email <> 'system' AND NOT ('system' = ANY(a.actor_roles))
  AND (a.action = ANY($3::text[]) OR (a.action = 'controls.rollout' AND (a.before ->> 'phase') > (a.after ->> 'phase')))`;

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;
const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const minuteFloor = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);

/**
 * The D8 §6 figures for a 7-day window, computed from the data: uploads (error rate, p99 latency, total),
 * the monitor's readiness samples (availability), circuit-breaker events and the audit log
 * (manual interventions), each with its target, pass/fail and a daily series.
 */
export async function computeGaFigures(db: Queryable, input: { lastDay?: string | null; now?: Date } = {}): Promise<GaFigures> {
  const now = input.now ?? new Date();
  const w = gaWindow(input.lastDay, now);
  // Availability counts only whole minutes that have already elapsed.
  const sampledUntil = new Date(Math.min(w.end.getTime(), minuteFloor(now).getTime()));
  const windowParams = [w.start, w.end];

  const [uploads, samples, breakers, interventions, interventionList, context] = await Promise.all([
    db.query<{ day: Date | null; created: number; processed: number; failed: number; partial: number; finished: number; p99: number | null }>(
      `WITH days AS (SELECT generate_series($1::timestamptz, $2::timestamptz - interval '24 hours', interval '24 hours') AS day)
       SELECT d.day,
              count(u.id)::int AS created,
              count(u.id) FILTER (WHERE u.status IN ('completed', 'partial', 'failed'))::int AS processed,
              count(u.id) FILTER (WHERE u.status = 'failed')::int AS failed,
              count(u.id) FILTER (WHERE u.status = 'partial')::int AS partial,
              count(u.id) FILTER (WHERE u.status IN ('completed', 'partial') AND u.completed_at IS NOT NULL)::int AS finished,
              (percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM u.completed_at - u.created_at))
                 FILTER (WHERE u.status IN ('completed', 'partial') AND u.completed_at IS NOT NULL))::float8 AS p99
         FROM days d
         LEFT JOIN uploads u ON u.created_at >= d.day AND u.created_at < d.day + interval '24 hours'
        GROUP BY GROUPING SETS ((d.day), ())
        ORDER BY d.day NULLS LAST`,
      windowParams,
    ),
    db.query<{ day: Date | null; ok: number; failed: number }>(
      `SELECT date_bin('24 hours', minute, $1::timestamptz) AS day, count(*) FILTER (WHERE ok)::int AS ok, count(*) FILTER (WHERE NOT ok)::int AS failed
         FROM readiness_samples WHERE minute >= $1 AND minute < $2
        GROUP BY GROUPING SETS ((1), ())`,
      [w.start, sampledUntil],
    ),
    db.query<{ id: string; at: Date; breaker: string; from_state: string; to_state: string; reason: string | null }>(
      `SELECT id, at, breaker, from_state::text, to_state::text, reason FROM circuit_breaker_events WHERE at >= $1 AND at < $2 ORDER BY at, id`,
      windowParams,
    ),
    db.query<{ day: Date | null; action: string | null; n: number }>(
      `SELECT date_bin('24 hours', a.at, $1::timestamptz) AS day, a.action, count(*)::int AS n FROM audit_log a
        WHERE a.at >= $1 AND a.at < $2 AND ${INTERVENTION_SQL} GROUP BY GROUPING SETS ((1), (2), ())`,
      [...windowParams, INTERVENTION_ACTIONS],
    ),
    db.query<{
      at: Date;
      actor_email: string;
      action: string;
      target_type: string;
      target_id: string | null;
      reason: string | null;
      incident_id: string | null;
    }>(
      `SELECT a.at, a.actor_email, a.action, a.target_type, a.target_id, a.reason, a.incident_id FROM audit_log a
        WHERE a.at >= $1 AND a.at < $2 AND ${INTERVENTION_SQL} ORDER BY a.at, a.id LIMIT 200`,
      [...windowParams, INTERVENTION_ACTIONS],
    ),
    db.query<{ pages: number; resolved: number; open: number }>(
      `SELECT (SELECT count(*)::int FROM alerts WHERE opened_at >= $1 AND opened_at < $2 AND severity IN ('page', 'critical')) AS pages,
              (SELECT count(*)::int FROM runbook_executions WHERE started_at >= $1 AND started_at < $2 AND status = 'resolved') AS resolved,
              (SELECT count(*)::int FROM runbook_executions WHERE status = 'open') AS open`,
      windowParams,
    ),
  ]);

  const dayKey = (d: Date) => isoDay(d);
  const totals = uploads.rows.find((r) => r.day === null)!;
  const sampleTotals = samples.rows.find((r) => r.day === null) ?? { ok: 0, failed: 0 };
  const samplesByDay = new Map(samples.rows.filter((r) => r.day).map((r) => [dayKey(r.day!), r]));
  const interventionsByDay = new Map(interventions.rows.filter((r) => r.day).map((r) => [dayKey(r.day!), r.n]));
  const interventionTotal = interventions.rows.find((r) => r.day === null && r.action === null)?.n ?? 0;
  const byAction = interventions.rows.filter((r) => r.action !== null).map((r) => `${r.action} ×${r.n}`);
  const trips = breakers.rows.filter((b) => b.to_state === "OPEN");
  const tripsByDay = new Map<string, number>();
  for (const t of trips) tripsByDay.set(dayKey(t.at), (tripsByDay.get(dayKey(t.at)) ?? 0) + 1);

  const expectedMinutes = (from: Date, to: Date) => Math.max(0, Math.floor((Math.min(to.getTime(), sampledUntil.getTime()) - from.getTime()) / 60_000));

  const daily: GaDay[] = uploads.rows
    .filter((r) => r.day !== null)
    .map((r) => {
      const key = dayKey(r.day!);
      const s = samplesByDay.get(key);
      const expected = expectedMinutes(r.day!, new Date(r.day!.getTime() + 86_400_000));
      return {
        day: key,
        created: r.created,
        processed: r.processed,
        failed: r.failed,
        errorRate: r.processed ? round(r.failed / r.processed) : null,
        p99Minutes: r.p99 === null ? null : round(r.p99 / 60, 3),
        availability: expected && s ? round(s.ok / expected) : expected ? 0 : null,
        breakerTrips: tripsByDay.get(key) ?? 0,
        interventions: interventionsByDay.get(key) ?? 0,
      };
    });

  // --- the figures -------------------------------------------------------------------------------
  const inFlight = totals.created - totals.processed;
  const errorRate = totals.processed ? totals.failed / totals.processed : null;
  const p99Minutes = totals.p99 === null ? null : totals.p99 / 60;
  const expected = expectedMinutes(w.start, w.end);
  const sampled = sampleTotals.ok + sampleTotals.failed;
  const missing = Math.max(0, expected - sampled);
  const availability = expected ? sampleTotals.ok / expected : null;
  const byBreaker = countBy(trips.map((t) => t.breaker));

  const figures: Record<FigureKey, Figure> = {
    errorRate: {
      key: "errorRate",
      label: "Error rate",
      value: errorRate === null ? null : round(errorRate),
      display: errorRate === null ? "no uploads" : pct(errorRate),
      target: `< ${pct(GA_TARGETS.errorRate, 0)}`,
      status: errorRate === null ? "no_data" : errorRate < GA_TARGETS.errorRate ? "pass" : "fail",
      detail:
        `${totals.failed} failed of ${totals.processed} uploads processed (created in the window and finished: completed, partial or failed). ` +
        `${totals.partial} partial uploads count as processed, not failed` +
        (inFlight ? `; ${inFlight} still in flight are not counted yet.` : "."),
    },
    p99Latency: {
      key: "p99Latency",
      label: "p99 upload latency",
      value: p99Minutes === null ? null : round(p99Minutes, 3),
      display: p99Minutes === null ? "no completed uploads" : `${p99Minutes.toFixed(1)} min`,
      target: `< ${GA_TARGETS.p99LatencyMinutes} min`,
      status: p99Minutes === null ? "no_data" : p99Minutes < GA_TARGETS.p99LatencyMinutes ? "pass" : "fail",
      detail: `99th percentile (nearest rank) of created → completed over the ${totals.finished} uploads created in the window that completed (completed or partial).`,
    },
    availability: {
      key: "availability",
      label: "Availability",
      value: availability === null ? null : round(availability),
      display: availability === null ? "window not started" : sampled === 0 ? "no samples" : pct(availability, 3),
      target: `> ${pct(GA_TARGETS.availability, 1)}`,
      status: availability === null || sampled === 0 ? "no_data" : availability > GA_TARGETS.availability ? "pass" : "fail",
      detail:
        `${sampleTotals.ok} ready minutes of ${expected} elapsed minutes in the window, from the monitor's readiness samples (the /ready checks, once a minute). ` +
        `${sampleTotals.failed} minutes not ready; ${missing} minutes without a sample count as not available (no evidence is not uptime).`,
    },
    breakerEvents: {
      key: "breakerEvents",
      label: "Circuit-breaker events",
      value: trips.length,
      display: String(trips.length),
      target: "0",
      status: trips.length === GA_TARGETS.breakerEvents ? "pass" : "fail",
      detail: `Breaker trips (transitions to OPEN) in the window${byBreaker.length ? `: ${byBreaker.join(", ")}` : ""}; ${breakers.rows.length} state changes in all.`,
    },
    manualInterventions: {
      key: "manualInterventions",
      label: "Manual interventions",
      value: interventionTotal,
      display: String(interventionTotal),
      target: "0",
      status: interventionTotal === GA_TARGETS.manualInterventions ? "pass" : "fail",
      detail:
        `Audit-log entries by people (not the system), not refused: pause, halt, resume, worker freezes, workspace pauses, force-fails, approved cleanups ` +
        `and rollout moved back a phase${byAction.length ? `. In the window: ${byAction.join(", ")}` : ""}.`,
    },
    totalUploads: {
      key: "totalUploads",
      label: "Total uploads processed",
      value: totals.processed,
      display: totals.processed.toLocaleString("en-US"),
      target: "—",
      status: "info",
      detail: `${totals.created} uploads created in the window: ${totals.processed} finished (${totals.processed - totals.failed - totals.partial} completed, ${totals.partial} partial, ${totals.failed} failed), ${inFlight} in flight.`,
    },
  };
  const judged = Object.values(figures).filter((f) => f.status !== "info");
  const days = (w.end.getTime() - w.start.getTime()) / 86_400_000;
  return {
    window: windowJson(w, days),
    computedAt: now.toISOString(),
    figures,
    allPass: judged.every((f) => f.status === "pass"),
    daily,
    interventions: interventionList.rows.map((r) => ({
      at: r.at.toISOString(),
      actor: r.actor_email,
      action: r.action,
      target: `${r.target_type}${r.target_id ? `:${r.target_id}` : ""}`,
      reason: r.reason,
      incidentId: r.incident_id,
    })),
    breakerTrips: trips.slice(0, 200).map((t) => ({ at: t.at.toISOString(), breaker: t.breaker, from: t.from_state, to: t.to_state, reason: t.reason })),
    context: {
      pages: context.rows[0].pages,
      pagesPerWeek: round((context.rows[0].pages * 7) / days, 2),
      runbookExecutionsResolved: context.rows[0].resolved,
      runbookExecutionsOpen: context.rows[0].open,
    },
  };
}

/** ["a", "b", "a"] → ["a ×2", "b ×1"] */
function countBy(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ×${n}`);
}

function windowJson(w: GaWindow, days: number) {
  return { firstDay: w.firstDay, lastDay: w.lastDay, start: w.start.toISOString(), end: w.end.toISOString(), days };
}
