/**
 * Two production servers (`next start`) over one PostgreSQL and one S3 store (s3rver): A serves
 * intake and the console, B runs the workers (SCHEDULER_ENABLED). Real processes, real signals.
 * Prints what it measured (uploads, time to completed, takeover after SIGKILL and after SIGTERM).
 */
import { hostname, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser } from "@/lib/auth/users";
import { expectedCounts, type GenerateOptions } from "@/lib/testing/generate-file";
import { ensureProductionBuild, signIn, startInstance, type AppInstance } from "@/lib/testing/app-instance";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, generated, postUpload } from "@/lib/testing/pipeline";
import { startS3 } from "@/lib/testing/s3";

const LEASE_SECONDS = 10;
const BATCH = 20_000; // the parse worker's records per committed batch
const PASSWORD = "two-instances-password-1";
const dataDir = mkdtempSync(path.join(tmpdir(), "ingestion-two-"));
const s3 = await startS3("two-instances");
const common = {
  DATABASE_URL: process.env.DATABASE_URL!,
  ...s3.env,
  DATA_DIR: dataDir,
  NEXTAUTH_SECRET: "two-instances-nextauth-secret-0123456789",
  CRON_SECRET: "two-instances-cron-secret-0123456789",
  METRICS_TOKEN: "two-instances-metrics",
  SCHEDULER_INTERVAL_MS: "300",
  WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
  SHUTDOWN_TIMEOUT_MS: "15000",
  LOG_LEVEL: "info",
};
const measured: Record<string, unknown> = {};
let A: AppInstance;
let B: AppInstance;
let key: string;
const instances: AppInstance[] = [];
const idOf = (instance: AppInstance) => `${hostname()}:${instance.pid}`;

async function upload(target: AppInstance, options: GenerateOptions & { seed?: number }) {
  const response = await postUpload(target.url, key, await generated(options), { workspace_id: "acme", platform: options.platform }).catch((error) => {
    throw new Error(
      `upload to ${target.name} failed (${error.cause ?? error}); its last log lines:\n${target
        .logs()
        .slice(-15)
        .map((l) => JSON.stringify(l))
        .join("\n")}`,
    );
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

type Row = {
  status: string;
  parsed_records: number;
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  ignored_rows: number;
  locked_by: string | null;
  attempts: number;
};
async function row(id: string): Promise<Row> {
  const { rows } = await pool().query<Row>(
    `SELECT status, parsed_records, total_rows, valid_rows, invalid_rows, ignored_rows, locked_by, attempts FROM uploads WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const terminal = (status: string) => ["completed", "partial", "failed"].includes(status);

/** Rows the upload holds everywhere, against what the file must give: nothing lost, nothing twice. */
async function expectExactLedger(id: string, options: GenerateOptions) {
  const want = expectedCounts(options);
  const u = await row(id);
  expect({ status: u.status, total: u.total_rows, valid: u.valid_rows, invalid: u.invalid_rows, ignored: u.ignored_rows }).toEqual({
    status: want.invalidRows ? "partial" : "completed",
    total: want.totalRows,
    valid: want.validRows,
    invalid: want.invalidRows,
    ignored: want.ignoredRows,
  });
  const { rows } = await pool().query(
    `SELECT (SELECT count(*)::int FROM staging_rows WHERE upload_id = $1) AS staged,
            (SELECT count(DISTINCT line_no)::int FROM staging_rows WHERE upload_id = $1) AS staged_lines,
            (SELECT count(*)::int FROM row_issues WHERE upload_id = $1) AS issues,
            (SELECT count(*)::int FROM metrics WHERE upload_id = $1) AS promoted`,
    [id],
  );
  expect(rows[0]).toEqual({ staged: want.validRows, staged_lines: want.validRows, issues: want.invalidRows + want.ignoredRows, promoted: want.validRows });
}

/** What a cron service does: calls the worker routes of `target` until the upload is done. */
async function cronUntilDone(target: AppInstance, id: string, timeoutMs: number) {
  const call = (worker: string) =>
    fetch(`${target.url}/api/cron/${worker}`, { method: "POST", headers: { authorization: `Bearer ${common.CRON_SECRET}` } }).then((r) => r.json());
  const deadline = Date.now() + timeoutMs;
  let last: unknown[] = [];
  while (!terminal((await row(id)).status)) {
    if (Date.now() > deadline)
      throw new Error(`upload ${id} not done via ${target.name}'s cron routes: ${JSON.stringify(await row(id))}; last answers ${JSON.stringify(last)}`);
    last = [await call("parse"), await call("promote")];
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first moment an instance holds the upload's lease (polled every 50 ms). */
function watchClaim(id: string, by: AppInstance) {
  return waitFor(`${by.name} to claim ${id}`, async () => ((await row(id)).locked_by?.startsWith(`${idOf(by)}:`) ? Date.now() : null), 90_000);
}

async function setMode(target: AppInstance, cookie: string, mode: "halted" | "running") {
  const { rows } = await pool().query<{ version: number }>(`SELECT version FROM ingestion_controls WHERE key = 'mode'`);
  const response = await fetch(`${target.url}/api/console/controls/mode`, {
    method: "POST",
    headers: { cookie, origin: target.url, "content-type": "application/json" },
    body: JSON.stringify({ mode, reason: "two-instance test", incidentId: "INC-12", expectedVersion: rows[0].version }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function metricsOf(target: AppInstance) {
  const text = await fetch(`${target.url}/api/metrics`, { headers: { authorization: `Bearer ${common.METRICS_TOKEN}` } }).then((r) => r.text());
  return text
    .split("\n")
    .filter((line) => /^ingestion_(uploads_total|errors_total|duration_seconds_(count|bucket)|circuit_breaker_state|uploads_in_flight)/.test(line));
}

const errorLines = (instance: AppInstance) => instance.logs().filter((l) => l.level === "error");

beforeAll(async () => {
  measured.build = ensureProductionBuild();
  await resetDatabase();
  await createWorkspace("acme");
  key = await apiKeyFor("acme");
  await addUser(prisma(), { email: "sre@example.com", roles: ["sre_lead"], password: PASSWORD });
  const started = Date.now();
  [A, B] = await Promise.all([startInstance("A", { ...common, SCHEDULER_ENABLED: "false" }), startInstance("B", { ...common, SCHEDULER_ENABLED: "true" })]);
  instances.push(A, B);
  measured.startBothMs = Date.now() - started;
}, 600_000);

afterAll(async () => {
  for (const instance of instances) if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill("SIGKILL");
  await s3.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`two-instance run: ${JSON.stringify(measured, null, 2)}`);
});

describe("two instances, one database, one store", () => {
  const small: GenerateOptions[] = [
    { platform: "meta", rows: 3000 },
    { platform: "google", rows: 2000, invalidEvery: 50 },
    { platform: "tiktok", rows: 2500 },
    { platform: "meta", rows: 1500, seed: 7, startDate: "2021-01-01" },
  ];
  const big: GenerateOptions = { platform: "meta", rows: 600_000, seed: 11, startDate: "2012-01-01" };
  let bigId: string;

  it("uploads sent to A are completed by B's workers with exact counts, and both answer the same metrics", async () => {
    const started = Date.now();
    const ids = await Promise.all(small.map((o) => upload(A, o)));
    await waitFor("the uploads to finish", async () => (await Promise.all(ids.map(row))).every((u) => terminal(u.status)));
    measured.smallUploads = { count: ids.length, rows: small.reduce((n, o) => n + o.rows, 0), toAllCompletedMs: Date.now() - started };
    for (const [i, id] of ids.entries()) await expectExactLedger(id, small[i]);
    const { rows } = await pool().query(`SELECT DISTINCT instance FROM worker_runs WHERE worker IN ('parse', 'promote') AND items > 0`);
    expect(rows.map((r) => r.instance)).toEqual([idOf(B)]);
    const [onA, onB] = await Promise.all([metricsOf(A), metricsOf(B)]);
    expect(onA).toEqual(onB);
    expect(onA).toEqual(
      expect.arrayContaining([
        'ingestion_uploads_total{status="completed",platform="meta"} 2',
        'ingestion_uploads_total{status="completed",platform="tiktok"} 1',
        'ingestion_uploads_total{status="partial",platform="google"} 1',
      ]),
    );
    // Workers waited for readiness: a normal start logs no error.
    expect([...errorLines(A), ...errorLines(B)]).toEqual([]);
  });

  it("the kill switch set through A stops B's workers at their next batch; lifting it lets them resume", async () => {
    bigId = await upload(A, big);
    await waitFor("B to commit a batch", async () => (await row(bigId)).parsed_records > 0 && (await row(bigId)).locked_by?.startsWith(idOf(B)));
    const cookie = await signIn(A.url, "sre@example.com", PASSWORD);
    await setMode(A, cookie, "halted");
    const haltedAt = new Date();
    const atHalt = (await row(bigId)).parsed_records;
    await new Promise((r) => setTimeout(r, 2500));
    const settled = await row(bigId);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await row(bigId);
    // Batches already past their guard may commit; none after.
    expect(settled.parsed_records - atHalt).toBeLessThanOrEqual(2 * BATCH);
    expect(later.parsed_records).toBe(settled.parsed_records);
    expect(later.parsed_records).toBeLessThan(expectedCounts(big).totalRows);
    expect(later.status).toBe("processing");
    const transitions = await pool().query(`SELECT count(*)::int AS n FROM upload_events WHERE created_at > $1`, [haltedAt]);
    expect(transitions.rows[0].n).toBe(0);
    // B's scheduler kept ticking and read the halt from the database.
    const skipped = await pool().query(
      `SELECT count(*)::int AS n FROM worker_runs WHERE instance = $1 AND worker = 'parse' AND started_at > $2 AND outcome = 'skipped'`,
      [idOf(B), haltedAt],
    );
    expect(skipped.rows[0].n).toBeGreaterThan(0);
    measured.killSwitch = { recordsAtHalt: atHalt, recordsCommittedAfterHalt: settled.parsed_records - atHalt };
    await setMode(A, cookie, "running");
    await waitFor("B to resume", async () => (await row(bigId)).parsed_records > later.parsed_records, 60_000);
  }, 120_000);

  it("SIGKILL of B mid-parse: A takes the upload over once B's lease expires and finishes it, no row lost or duplicated", async () => {
    const before = await row(bigId);
    expect(before.status).toBe("processing");
    expect(before.parsed_records).toBeLessThan(expectedCounts(big).totalRows);
    B.child.kill("SIGKILL");
    const killedAt = Date.now();
    const claimed = watchClaim(bigId, A);
    await cronUntilDone(A, bigId, 150_000);
    const takeoverMs = (await claimed) - killedAt;
    measured.sigkill = { recordsWhenKilled: before.parsed_records, takeoverMs, toCompletedAfterKillMs: Date.now() - killedAt, leaseSeconds: LEASE_SECONDS };
    await expectExactLedger(bigId, big);
    expect((await B.exited).signal).toBe("SIGKILL");
    expect(takeoverMs).toBeLessThan((LEASE_SECONDS + 5) * 1000);
  }, 180_000);

  it("SIGTERM: the worker instance checkpoints, releases its lease and exits; A resumes at once", async () => {
    const B2 = await startInstance("B2", { ...common, SCHEDULER_ENABLED: "true" });
    instances.push(B2);
    const options: GenerateOptions = { ...big, rows: 300_000, seed: 12, startDate: "2013-01-01" };
    const id = await upload(A, options);
    await waitFor("B2 to commit a batch", async () => (await row(id)).parsed_records > 0 && (await row(id)).locked_by?.startsWith(idOf(B2)));
    B2.child.kill("SIGTERM");
    const termAt = Date.now();
    const claimed = watchClaim(id, A);
    const exit = await B2.exited;
    const exitMs = exit.at - termAt;
    const afterExit = await row(id);
    expect(afterExit.locked_by).toBeNull(); // released, not left to expire
    expect(afterExit.status).toBe("processing");
    await cronUntilDone(A, id, 150_000);
    const takeoverMs = (await claimed) - termAt;
    measured.sigterm = { recordsAtExit: afterExit.parsed_records, exitMs, exitCode: exit.code, takeoverMs, toCompletedAfterTermMs: Date.now() - termAt };
    await expectExactLedger(id, options);
    expect(exitMs).toBeLessThan(16_000);
    // A resumed without waiting for a lease to expire.
    expect(takeoverMs - exitMs).toBeLessThan(3000);
    const stopped = B2.logs().find((l) => l.event === "shutdown.workers_stopped");
    expect(stopped).toMatchObject({ finished: true });
    expect(B2.logs().some((l) => l.event === "shutdown.complete")).toBe(true);
    expect(errorLines(B2)).toEqual([]);
  }, 180_000);
});
