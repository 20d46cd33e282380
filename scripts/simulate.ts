/**
 * The founder-absence simulation (issue 15): `npm run simulate -- --days 14 [--seed N] [--faults a,b]
 * [--thresholds JSON] [--out DIR] [--start YYYY-MM-DD]`. Starts its own embedded PostgreSQL (fresh, in
 * a temporary folder), runs the simulation on a virtual clock and writes report.md, report.json and
 * chart.svg to --out (default docs/simulation). Exits 1 when a fault went undetected past its
 * threshold, a row was lost or an engineer had to act; 2 when the simulation itself broke.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { freePort } from "../lib/testing/app-instance";
import { FAULT_IDS, type FaultId } from "../lib/simulation/faults";
import { startTcpProxy } from "../lib/simulation/tcp-proxy";
import { installSqlClock, installVirtualDate, syncSqlClock, virtualNow } from "../lib/simulation/virtual-clock";
import { startWebhookReceiver } from "../lib/simulation/webhook-receiver";

const { values } = parseArgs({
  options: {
    days: { type: "string", default: "14" },
    seed: { type: "string", default: "1" },
    faults: { type: "string" },
    thresholds: { type: "string" },
    out: { type: "string", default: "docs/simulation" },
    start: { type: "string" },
    speed: { type: "string" },
  },
});
const days = Number(values.days);
const seed = Number(values.seed);
if (!Number.isInteger(days) || days < 1 || days > 60) throw new Error("--days must be a whole number from 1 to 60");
const only = values.faults ? (values.faults.split(",").map((s) => s.trim()) as FaultId[]) : null;
for (const id of only ?? []) if (!FAULT_IDS.includes(id)) throw new Error(`unknown fault ${id}; known: ${FAULT_IDS.join(", ")}`);
if (values.speed) console.log("--speed is ignored: the simulation steps through virtual time as fast as the work allows (see docs/simulation/README.md)");

// A Monday at 00:00 UTC: the first Monday after today unless --start names a day.
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
const startMs = values.start ? Date.parse(`${values.start}T00:00:00Z`) : today + ((8 - new Date(today).getUTCDay()) % 7 || 7) * 86_400_000;

// An 'error' event nobody listens to would end the process. It is recorded (the report lists it: under
// `next start` the instance would crash and be restarted by its supervisor) and the run goes on.
const crashes: { at: string; error: string }[] = [];
(globalThis as unknown as { __simCrashes: typeof crashes }).__simCrashes = crashes;
process.on("uncaughtException", (error) => {
  // Paths relative to the repository: the report is checked in.
  const text = String(error.stack ?? error).replaceAll(`${process.cwd()}/`, "");
  crashes.push({ at: new Date().toISOString(), error: text.split("\n").slice(0, 6).join(" | ") });
  console.log(`  uncaught: ${crashes.at(-1)!.error}`);
});
const work = mkdtempSync(path.join(tmpdir(), "ingestion-sim-"));
chmodSync(work, 0o755); // initdb runs as the postgres user
const realStart = performance.now();
const db = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), port: await freePort(), database: "simulation" });
let exitCode = 2;
try {
  const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: db.url }, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrate deploy failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const clock = new pg.Client({ connectionString: db.url });
  clock.on("error", () => {});
  await clock.connect();
  const rewritten = await installSqlClock(clock, "simulation");
  installVirtualDate(startMs - Date.now());
  await syncSqlClock(clock);
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(db.url).port) });
  const webhook = await startWebhookReceiver(virtualNow);
  Object.assign(process.env, {
    DATABASE_URL: db.url.replace(/:\d+\//, `:${proxy.port}/`),
    DATA_DIR: path.join(work, "data"),
    STORAGE_URL: `file://${path.join(work, "files")}`,
    NEXTAUTH_SECRET: "simulation-nextauth-secret-0123456789",
    NEXTAUTH_URL: "http://127.0.0.1:3000",
    CRON_SECRET: "simulation-cron-secret-0123456789",
    ALERT_WEBHOOK_URL: webhook.url,
    ALERT_WEBHOOK_TIMEOUT_MS: "2000",
    INGESTION_CONCURRENCY_LIMIT: "30",
    // A breaker counts failures over five minutes: the monitor posts at most once a minute, so a dead webhook can trip it.
    BREAKER_WINDOW_MS: "300000",
    WORKER_LEASE_SECONDS: "60",
    LOG_LEVEL: process.env.SIM_LOG_LEVEL ?? "silent",
    ...(values.thresholds ? { SIGNAL_THRESHOLDS: values.thresholds } : {}),
  });
  console.log(
    `simulation: ${days} day(s) from ${new Date(startMs).toISOString()}, seed ${seed}, faults ${only?.join(",") ?? "all"}; ${rewritten.length} column defaults moved to the virtual clock`,
  );
  const { runSimulation } = await import("../lib/simulation/run-simulation");
  const { reportChart, reportMarkdown, verdict } = await import("../lib/simulation/report");
  const { closeDb } = await import("../lib/db/client");
  const report = await runSimulation({ days, seed, startMs, only, clock, proxy, webhook, progress: (line) => console.log(line) });
  const out = path.resolve(values.out!);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "report.json"), JSON.stringify({ ...report, verdict: verdict(report) }, null, 2) + "\n");
  writeFileSync(path.join(out, "chart.svg"), reportChart(report) + "\n");
  writeFileSync(path.join(out, "report.md"), reportMarkdown(report, "chart.svg"));
  const v = verdict(report);
  console.log(
    `\n${v.ok ? "PASS" : "FAIL"}: ${report.faults.filter((f) => f.detected).length}/${report.faults.length} faults detected, ` +
      `${report.ledger.rowsReceived} rows received, ${report.ledger.rowsPromoted} promoted, ${report.ledger.rowsInvalid} invalid, ${report.ledger.rowsLost} lost, ` +
      `${report.engineeringInterventions.length} engineering interventions; ${Math.round((performance.now() - realStart) / 1000)} s real. Report: ${path.relative(process.cwd(), out)}/report.md`,
  );
  for (const f of report.faults)
    console.log(`  ${f.detected ? "✓" : "✗"} ${f.id}#${f.instance}: ${f.detected ? `${f.minutesToDetect} min, ${f.detectedBy}` : "NOT DETECTED"}`);
  for (const failure of v.failures) console.log(`  ✗ ${failure}`);
  exitCode = v.ok ? 0 : 1;
  await closeDb();
  await clock.end();
  await proxy.close();
  await webhook.close();
} catch (error) {
  console.error(error);
} finally {
  await db.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
