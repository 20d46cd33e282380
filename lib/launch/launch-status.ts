import { readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { listBreakers } from "@/lib/breakers/list-breakers";
import { readControls } from "@/lib/controls/controls";
import { checkReadiness, type Pingable } from "@/lib/db/readiness";
import { env } from "@/lib/env";
import { renderMetrics } from "@/lib/signals/metrics";
import { MANUAL_ITEMS, SYNTHETIC_PREFIX, type SectionId } from "./checklist";

export type CheckLevel = "pass" | "warn" | "fail";
export type LiveCheck = { key: string; section: SectionId; label: string; level: CheckLevel; detail: string };

const REQUIRED_METRICS = ["ingestion_uploads_total", "ingestion_errors_total", "ingestion_duration_seconds", "ingestion_circuit_breaker_state"];
const REQUIRED_ALERTS = ["IngestionCircuitOpen", "IngestionHighErrorRate", "IngestionStagingBacklog"];
const WORKER_NAMES = ["parse", "promote", "cleanup", "monitor"] as const;
/** A worker that has not finished a run for this long is not "responsive". */
const WORKER_SILENCE_MINUTES = 10;
const PLACEHOLDER = /^(changeme|change-me|placeholder|todo|xxx+|secret)$/i;

const check = (key: string, section: SectionId, label: string, ok: boolean | CheckLevel, detail: string): LiveCheck => ({
  key,
  section,
  label,
  level: typeof ok === "string" ? ok : ok ? "pass" : "fail",
  detail,
});

/** Every Day-0 item the system can verify about itself (D8 §1, §2.1), checked now. */
export async function liveChecks(pool: pg.Pool, store: Pingable, decidedGo: boolean): Promise<LiveCheck[]> {
  const [readiness, poolUse, controls, runs, metrics, breakers, synthetic, pauses] = await Promise.all([
    checkReadiness(pool, store),
    pool.query<{ used: number; max: number }>(`SELECT (SELECT count(*)::int FROM pg_stat_activity) AS used, current_setting('max_connections')::int AS max`),
    readControls(pool),
    pool.query<{ worker: string; finished_at: Date | null; outcome: string; minutes: number }>(
      `SELECT DISTINCT ON (worker) worker, finished_at, outcome, EXTRACT(EPOCH FROM now() - finished_at)::int / 60 AS minutes
         FROM worker_runs WHERE finished_at IS NOT NULL ORDER BY worker, finished_at DESC`,
    ),
    renderMetrics(pool)
      .then((m) => m.body)
      .catch(() => ""),
    listBreakers(pool, { historyLimit: 0 }),
    pool.query<{ file_name: string; status: string; total_rows: number; workspace: string; created_at: Date }>(
      `SELECT u.file_name, u.status::text AS status, u.total_rows, w.slug AS workspace, u.created_at
         FROM uploads u JOIN workspaces w ON w.id = u.workspace_id WHERE u.file_name LIKE $1 ORDER BY u.created_at DESC LIMIT 1`,
      [`${SYNTHETIC_PREFIX}%`],
    ),
    pool.query<{ slug: string }>(`SELECT slug FROM workspaces WHERE paused AND (pause_expires_at IS NULL OR pause_expires_at > now()) ORDER BY slug`),
  ]);
  const ready = (name: string) => readiness.checks.find((c) => c.name === name);
  const e = env();
  const checks: LiveCheck[] = [];
  const db = ready("database");
  checks.push(check("db.reachable", "1.1", "Database reachable", !!db?.ok, db?.ok ? "SELECT 1 answered." : (db?.detail ?? "unreachable")));
  const { used, max } = poolUse.rows[0];
  checks.push(
    check(
      "db.pool",
      "1.1",
      "Connections below 80 % of the server's limit",
      used < 0.8 * max,
      `${used} of ${max} connections in use (${Math.round((100 * used) / max)} %).`,
    ),
  );
  const migrations = ready("migrations");
  checks.push(
    check(
      "db.migrations",
      "1.1",
      "Migrations applied (staging tables included)",
      !!migrations?.ok,
      migrations?.ok ? "Every migration is applied." : (migrations?.detail ?? "unknown"),
    ),
  );
  const storage = ready("storage");
  checks.push(
    check("storage.reachable", "1.1", "Storage reachable", !!storage?.ok, storage?.ok ? "The file store answered." : (storage?.detail ?? "unreachable")),
  );
  const secrets = [
    ["DATABASE_URL", process.env.DATABASE_URL],
    ["NEXTAUTH_SECRET", e.NEXTAUTH_SECRET],
    ["CRON_SECRET", e.CRON_SECRET],
  ] as const;
  const missing = secrets.filter(([, v]) => !v || PLACEHOLDER.test(String(v))).map(([k]) => k);
  checks.push(
    check(
      "env.secrets",
      "1.1",
      "DATABASE_URL, storage and secrets set (no placeholders)",
      missing.length === 0,
      missing.length ? `Missing or placeholder: ${missing.join(", ")}.` : `Set; storage ${e.STORAGE_URL ? "STORAGE_URL" : "the local file store"}.`,
    ),
  );
  const enabled = e.INGESTION_ENABLED;
  checks.push(
    check(
      "env.ingestion_enabled",
      "1.1",
      "INGESTION_ENABLED as the launch stage wants it",
      decidedGo ? enabled : enabled ? "warn" : "pass",
      decidedGo
        ? enabled
          ? "INGESTION_ENABLED=true after the go decision (D8 §2.1 step 1)."
          : "Still INGESTION_ENABLED=false after the go decision: set it to true (D8 §2.1 step 1)."
        : enabled
          ? "INGESTION_ENABLED=true before the go decision; D8 §1.1 keeps it false until launch."
          : "INGESTION_ENABLED=false until launch (D8 §1.1).",
    ),
  );
  for (const worker of WORKER_NAMES) {
    const run = runs.rows.find((r) => r.worker === worker);
    const ok = !!run && run.minutes < WORKER_SILENCE_MINUTES && run.outcome !== "error";
    checks.push(
      check(
        `workers.${worker}`,
        "1.2",
        `${worker[0].toUpperCase()}${worker.slice(1)} worker responsive`,
        ok,
        run ? `Last run finished ${run.minutes} min ago (${run.outcome}).` : "No finished run recorded.",
      ),
    );
  }
  const rollout = controls.rollout.value;
  checks.push(
    check(
      "rollout.p0",
      "1.2",
      "Rollout at P0 with its allowlist (internal only)",
      rollout.phase === "P0" && rollout.allowlist.length > 0,
      `Phase ${rollout.phase}; allowlist ${rollout.allowlist.length ? rollout.allowlist.join(", ") : "empty"}.`,
    ),
  );
  checks.push(
    check(
      "health.ready",
      "1.2",
      "/health and /ready answer 200",
      readiness.ready,
      readiness.ready
        ? "Ready."
        : `Not ready: ${readiness.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join(", ")}.`,
    ),
  );
  const absent = REQUIRED_METRICS.filter((m) => !new RegExp(`^# TYPE ${m} `, "m").test(metrics));
  checks.push(
    check(
      "metrics.emitting",
      "1.3",
      "The four ingestion metrics emitting",
      absent.length === 0,
      absent.length ? `Missing: ${absent.join(", ")}.` : REQUIRED_METRICS.join(", ") + ".",
    ),
  );
  const rules = alertRules();
  const missingRules = REQUIRED_ALERTS.filter((a) => !rules.includes(a));
  checks.push(
    check(
      "alerts.rules",
      "1.3",
      "The three alert rules present",
      missingRules.length === 0,
      missingRules.length ? `Missing from monitoring/alerts.yml: ${missingRules.join(", ")}.` : REQUIRED_ALERTS.join(", ") + ".",
    ),
  );
  const open = breakers.filter((b) => b.state !== "CLOSED");
  checks.push(
    check(
      "breakers.closed",
      "1.3",
      "Circuit breakers closed",
      open.length === 0,
      open.length ? open.map((b) => `${b.name} ${b.state}`).join(", ") : `All ${breakers.length} closed.`,
    ),
  );
  checks.push(
    check(
      "controls.no_pauses",
      "1.4",
      "No workspace paused (D8 §2.1 step 2)",
      pauses.rows.length === 0,
      pauses.rows.length ? `Paused: ${pauses.rows.map((p) => p.slug).join(", ")}.` : "None paused.",
    ),
  );
  const s = synthetic.rows[0];
  const internal = s && rollout.allowlist.includes(s.workspace);
  checks.push(
    check(
      "synthetic.completed",
      "1.5",
      "Synthetic test upload reached completed (D8 §2.1 steps 4–5)",
      !!s && internal && s.status === "completed" && s.total_rows > 0,
      !s
        ? `No upload named ${SYNTHETIC_PREFIX}*.csv yet: send one to an allowlisted workspace (command below).`
        : `${s.file_name} in ${s.workspace}${internal ? "" : " (not on the allowlist)"}: ${s.status}, ${s.total_rows} rows, ${s.created_at.toISOString()}.`,
    ),
  );
  return checks;
}

function alertRules(): string[] {
  try {
    return [...readFileSync(path.resolve("monitoring/alerts.yml"), "utf8").matchAll(/^\s*-?\s*alert:\s*(\S+)/gm)].map((m) => m[1]);
  } catch {
    return [];
  }
}

export type Tick = { item: string; checked: boolean; by: string; at: Date; note: string | null };

export async function latestTicks(pool: pg.Pool): Promise<Map<string, Tick>> {
  const { rows } = await pool.query(`SELECT DISTINCT ON (item) item, checked, by_email, note, created_at FROM launch_ticks ORDER BY item, id DESC`);
  return new Map(rows.map((r) => [r.item as string, { item: r.item, checked: r.checked, by: r.by_email, at: r.created_at, note: r.note }]));
}

export type Decision = { decision: "go" | "no_go"; by: string; at: Date; reason: string };

export async function latestDecision(pool: pg.Pool): Promise<Decision | null> {
  const { rows } = await pool.query(`SELECT decision, decided_by, reason, created_at FROM launch_decisions ORDER BY id DESC LIMIT 1`);
  return rows[0] ? { decision: rows[0].decision, by: rows[0].decided_by, at: rows[0].created_at, reason: rows[0].reason } : null;
}

/** The launch page: the live checks, the named ticks, the decision, the announcement of D8 §2.3. */
export async function launchStatus(pool: pg.Pool, store: Pingable) {
  const decision = await latestDecision(pool);
  const [checks, ticks] = await Promise.all([liveChecks(pool, store, decision?.decision === "go"), latestTicks(pool)]);
  const manual = MANUAL_ITEMS.map((item) => ({ ...item, tick: ticks.get(item.key) ?? null }));
  const open = [...checks.filter((c) => c.level === "fail").map((c) => c.label), ...manual.filter((m) => !m.tick?.checked).map((m) => m.label)];
  const synthetic = checks.find((c) => c.key === "synthetic.completed")!;
  const monitoring = checks.filter((c) => c.section === "1.3").every((c) => c.level === "pass");
  const onCall = ticks.get("oncall.primary");
  const announcement = [
    "🚀 Ingestion P0 LAUNCHED",
    `- Time: ${decision?.decision === "go" ? decision.at.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "[timestamp]"}`,
    `- Status: ${open.length ? "RED" : "GREEN"}`,
    `- Test upload: ${synthetic.level === "pass" ? "PASSED" : "NOT PASSED"}`,
    `- Monitoring: ${monitoring ? "ACTIVE" : "INCOMPLETE"}`,
    `- On-call: ${onCall?.checked && onCall.note ? onCall.note : "[name]"}`,
  ].join("\n");
  return { checks, manual, decision, open, announcement };
}

export type LaunchStatus = Awaited<ReturnType<typeof launchStatus>>;
