import { spawn, type ChildProcess } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { setMode } from "@/lib/controls/change-control";
import { pool, prisma, resetDatabase, createWorkspace, countStagingRows } from "@/lib/testing/db";
import { apiKeyFor, generated, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { fileStore } from "@/lib/storage";
import { claimUpload } from "./claim-upload";
import { expectedCounts } from "@/lib/testing/generate-file";
import { parseUpload, runParseWorker } from "./parse-next-upload";
import { runPromoteWorker } from "./promote-next-upload";
import { transitionUpload } from "@/lib/uploads/transition";

const api = serveApiForTests();
let key: string;
const TODAY = "2030-01-01";

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  key = await apiKeyFor("acme");
});

function child(kind: "parse" | "promote", args: string[] = [], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/testing/worker-child.ts", kind, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

const exited = (proc: ChildProcess) => new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out waiting");
}

const expireLease = (id: string) => pool().query(`UPDATE uploads SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);

async function uploadGenerated(rows: number, seed: number, startDate = "2018-01-01") {
  const options = { platform: "meta" as const, rows, seed, invalidEvery: 101, startDate, campaigns: 50 };
  const created = await postUpload(api.url, key, await generated(options));
  expect(created.status).toBe(201);
  return { id: created.body.id as string, want: expectedCounts(options) };
}

async function assertLedger(id: string, want: ReturnType<typeof expectedCounts>) {
  const upload = await prisma().upload.findUniqueOrThrow({ where: { id } });
  expect(upload).toMatchObject({ totalRows: want.totalRows, validRows: want.validRows, invalidRows: want.invalidRows, ignoredRows: want.ignoredRows });
  expect(await countStagingRows(id)).toBe(want.validRows);
  expect(await prisma().rowIssue.count({ where: { uploadId: id } })).toBe(want.invalidRows + want.ignoredRows);
  return upload;
}

describe("concurrent workers", () => {
  it("two parse and two promote worker processes on 24 uploads (under one workspace's share of the intake queue) promote each exactly once", async () => {
    const uploads = [];
    for (let i = 0; i < 24; i++) {
      const start = new Date(Date.UTC(2018, 0, 1) + i * 40 * 86_400_000).toISOString().slice(0, 10);
      uploads.push(await uploadGenerated(2_000, i + 1, start));
    }
    const procs = [child("parse", ["--loop"]), child("parse", ["--loop"]), child("promote", ["--loop"]), child("promote", ["--loop"])];
    const codes = await Promise.all(procs.map(exited));
    expect(codes).toEqual([0, 0, 0, 0]);

    const statuses = await pool().query(`SELECT status, count(*)::int AS n FROM uploads GROUP BY status`);
    expect(statuses.rows).toEqual([{ status: "partial", n: 24 }]);
    const sums = await pool().query(`SELECT sum(valid_rows)::int AS valid, sum(promoted_rows)::int AS promoted FROM uploads`);
    expect(sums.rows[0].promoted).toBe(sums.rows[0].valid);
    expect(sums.rows[0].valid).toBe(uploads.reduce((n, u) => n + u.want.validRows, 0));
    expect(await prisma().metric.count()).toBe(sums.rows[0].valid);
    // Each upload went through each state exactly once.
    const transitions = await pool().query(
      `SELECT upload_id, count(*)::int AS n FROM upload_events WHERE to_status IN ('staged', 'promoting', 'partial') GROUP BY upload_id`,
    );
    expect(transitions.rows.every((r) => r.n === 3)).toBe(true);
    expect(transitions.rows).toHaveLength(24);
  }, 180_000);
});

describe("a worker killed with SIGKILL", () => {
  it("mid-parse: the successor resumes from the last committed batch; nothing duplicated or lost", async () => {
    const { id, want } = await uploadGenerated(150_000, 42);
    const proc = child("parse", [], { BATCH_SIZE: "2000" });
    await waitFor(async () => (await prisma().upload.findUniqueOrThrow({ where: { id } })).parsedRecords > 10_000);
    proc.kill("SIGKILL");
    await exited(proc);
    const killed = await prisma().upload.findUniqueOrThrow({ where: { id } });
    expect(killed.status).toBe("processing");
    expect(killed.parsedRecords).toBeLessThan(want.totalRows);
    // What was committed is consistent: counters match the stored rows.
    expect(await countStagingRows(id)).toBe(killed.validRows);

    await expireLease(id);
    await runParseWorker(pool(), fileStore(), { today: TODAY });
    const done = await assertLedger(id, want);
    expect(done.status).toBe("staged");
    // The date span joins what both runs staged (the file lists day by day: its first day came first).
    const { rows: span } = await pool().query(`SELECT min(date)::text AS lo, max(date)::text AS hi FROM staging_rows WHERE upload_id = $1`, [id]);
    const day = (d: Date | null) => d?.toISOString().slice(0, 10);
    expect(day(killed.firstDate)).toBe(span[0].lo);
    expect([day(done.firstDate), day(done.lastDate)]).toEqual([span[0].lo, span[0].hi]);
    const attempts = await pool().query(`SELECT count(*)::int AS n FROM upload_events WHERE upload_id = $1 AND to_status = 'processing'`, [id]);
    expect(attempts.rows[0].n).toBe(1);
  }, 120_000);

  it("mid-promotion: no production row carries the killed attempt's work; the successor promotes exactly once", async () => {
    const { id, want } = await uploadGenerated(200_000, 43);
    await runParseWorker(pool(), fileStore(), { today: TODAY });
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("staged");
    const proc = child("promote");
    await waitFor(async () => {
      const { rows } = await pool().query(
        `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%INSERT INTO metrics%' AND pid <> pg_backend_pid()`,
      );
      return rows.length > 0;
    });
    proc.kill("SIGKILL");
    await exited(proc);
    expect(await prisma().metric.count({ where: { uploadId: id } })).toBe(0);
    await expireLease(id);
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("promoting");
    expect(await prisma().metric.count()).toBe(0);

    await runPromoteWorker(pool());
    const done = await prisma().upload.findUniqueOrThrow({ where: { id } });
    expect(done).toMatchObject({ status: "partial", promotedRows: want.validRows });
    expect(await prisma().metric.count({ where: { uploadId: id } })).toBe(want.validRows);
  }, 120_000);
});

describe("the kill switch and leases", () => {
  const sre = { id: "00000000-0000-0000-0000-000000000001", email: "sre@example.com", roles: ["sre_lead" as const] };

  it("a halt set mid-run stops the worker at the next batch: no transition after it takes effect", async () => {
    const { id, want } = await uploadGenerated(100_000, 44);
    const running = runParseWorker(pool(), fileStore(), { today: TODAY, batchSize: 1000 });
    await waitFor(async () => (await prisma().upload.findUniqueOrThrow({ where: { id } })).parsedRecords > 0);
    const version = (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;
    await setMode(pool(), sre, { mode: "halted", reason: "test halt", incidentId: "INC-1", expectedVersion: version });
    const haltedAt = new Date();
    const result = await running;
    expect(result.uploads[0].result).toBe("lost_lease");
    const after = await prisma().upload.findUniqueOrThrow({ where: { id } });
    expect(after.status).toBe("processing");
    expect(await prisma().uploadEvent.count({ where: { uploadId: id, createdAt: { gt: haltedAt } } })).toBe(0);
    // Nothing is claimed while halted.
    await expireLease(id);
    expect((await runParseWorker(pool(), fileStore(), { today: TODAY })).uploads).toHaveLength(0);

    const v2 = (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;
    await setMode(pool(), sre, { mode: "running", reason: "resume", incidentId: "INC-1", expectedVersion: v2 });
    await runParseWorker(pool(), fileStore(), { today: TODAY });
    expect((await assertLedger(id, want)).status).toBe("staged");
  }, 120_000);

  it("a stale worker whose lease was taken over can neither complete nor fail the upload", async () => {
    const { id, want } = await uploadGenerated(1_000, 45);
    const stale = await claimUpload(pool(), { worker: "parse", workerId: "stale", ready: "pending", inFlight: "processing" });
    expect(stale?.id).toBe(id);
    expect(await transitionUpload(pool(), { uploadId: id, from: "pending", to: "processing", actor: "stale", worker: { id: "stale", kind: "parse" } })).toBe(
      "pending",
    );
    await expireLease(id);
    const successor = await claimUpload(pool(), { worker: "parse", workerId: "successor", ready: "pending", inFlight: "processing" });
    expect(successor?.id).toBe(id);

    // The stale worker wakes up: its batches and transitions are refused.
    const staleOutcome = await parseUpload(pool(), fileStore(), stale!, "stale", { today: TODAY });
    expect(staleOutcome.result).toBe("lost_lease");
    expect(
      await transitionUpload(pool(), { uploadId: id, from: "processing", to: "failed", actor: "stale", worker: { id: "stale", kind: "parse" } }),
    ).toBeNull();

    const outcome = await parseUpload(pool(), fileStore(), successor!, "successor", { today: TODAY });
    expect(outcome.result).toBe("staged");
    await assertLedger(id, want);
  });
});
