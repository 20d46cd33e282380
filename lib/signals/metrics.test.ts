import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as metricsRoute from "@/app/api/metrics/route";
import * as monitorRoute from "@/app/api/cron/monitor/route";
import { breakerConfigSchema } from "@/lib/breakers/breaker-state";
import { CircuitBreaker } from "@/lib/breakers/circuit-breaker";
import { resetBreakers } from "@/lib/breakers/registry";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { serveRoutes } from "@/lib/testing/http";
import { apiKeyFor, drainPipeline, fixture, postUpload, startApi } from "@/lib/testing/pipeline";
import { runParse } from "@/lib/workers/run-workers";
import { DURATION_BUCKETS } from "./metrics";
import { parsePrometheusText, sampleValue } from "./prometheus-text";
import { sampleReadiness } from "./readiness-samples";

let api: Awaited<ReturnType<typeof startApi>>;
let routes: Awaited<ReturnType<typeof serveRoutes>>;
let key: string;

beforeAll(async () => {
  api = await startApi();
  routes = await serveRoutes([
    { method: "GET", pattern: "/api/metrics", handler: metricsRoute.GET },
    { method: "GET", pattern: "/api/cron/monitor", handler: monitorRoute.GET },
  ]);
});
afterAll(async () => {
  await api.close();
  await routes.close();
});
beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
  await createWorkspace("acme");
  key = await apiKeyFor("acme");
});

async function scrape() {
  const response = await fetch(`${routes.url}/api/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

const VALID = ["Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks", "2024-05-01,1,A,10.00,100,5", "2024-05-02,1,A,12.00,120,6", ""].join(
  "\n",
);
const BROKEN = "Day,Campaign ID,Campaign name,Impressions,Link clicks\n2024-01-01,1,A,10,1\n";

describe("GET /api/metrics", () => {
  it("parses as Prometheus text and exports the families D8 §1.3 asks for", async () => {
    const families = await scrape();
    for (const name of [
      "ingestion_uploads_total",
      "ingestion_errors_total",
      "ingestion_duration_seconds",
      "ingestion_circuit_breaker_state",
      "ingestion_staging_backlog_rows",
      "ingestion_staging_oldest_age_seconds",
      "ingestion_stuck_uploads",
      "ingestion_freshness_lag_seconds",
      "ingestion_worker_last_success_timestamp_seconds",
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get("ingestion_uploads_total")?.type).toBe("counter");
    expect(families.get("ingestion_duration_seconds")?.type).toBe("histogram");
    // Every breaker is reported, closed ones as 0.
    expect(sampleValue(families, "ingestion_circuit_breaker_state", { breaker: "worker.parse" })).toBe(0);
    expect(
      families
        .get("ingestion_circuit_breaker_state")
        ?.samples.map((s) => s.labels.breaker)
        .sort(),
    ).toEqual(["file-store", "webhook", "worker.cleanup", "worker.parse", "worker.promote"]);
  });

  it("moves when uploads complete and fail through the real pipeline", async () => {
    const before = await scrape();
    expect(sampleValue(before, "ingestion_uploads_total", { status: "completed", platform: "meta" })).toBe(0);

    expect((await postUpload(api.url, key, Buffer.from(VALID))).status).toBe(201);
    expect((await postUpload(api.url, key, Buffer.from(BROKEN), undefined, "broken.csv")).status).toBe(201);
    expect((await postUpload(api.url, key, fixture("meta.csv"), undefined, "meta.csv")).status).toBe(201);
    await drainPipeline();
    await runParse(); // a recorded worker run

    const after = await scrape();
    const count = (status: string) => sampleValue(after, "ingestion_uploads_total", { status, platform: "meta" });
    expect(count("pending")).toBe(3);
    expect(count("completed")).toBe(1);
    expect(count("partial")).toBe(1);
    expect(count("failed")).toBe(1);
    expect(count("staged")).toBe(2);
    expect(sampleValue(after, "ingestion_errors_total", { code: "MISSING_COLUMN" })).toBe(1);

    // The histogram per stage: cumulative buckets, +Inf equals the count.
    for (const stage of ["parse", "promote", "total"]) {
      const total = sampleValue(after, "ingestion_duration_seconds_count", { stage });
      expect(total, stage).toBe(2);
      expect(sampleValue(after, "ingestion_duration_seconds_bucket", { stage, le: "+Inf" })).toBe(total);
      const buckets = DURATION_BUCKETS.map((le) => sampleValue(after, "ingestion_duration_seconds_bucket", { stage, le: String(le) }));
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    }
    expect(sampleValue(after, "ingestion_staging_backlog_rows")).toBe((await prisma().upload.aggregate({ _sum: { stagedRows: true } }))._sum.stagedRows);
    expect(sampleValue(after, "ingestion_freshness_lag_seconds", { workspace: "acme", platform: "meta" })).toBeGreaterThan(0);
    expect(sampleValue(after, "ingestion_freshness_stale", { workspace: "acme", platform: "meta" })).toBe(1);
    expect(sampleValue(after, "ingestion_worker_last_success_timestamp_seconds", { worker: "parse" })).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it("reports an open breaker as 2 and stuck uploads", async () => {
    const breaker = new CircuitBreaker("webhook", breakerConfigSchema.parse({ failureThreshold: 1 }), pool);
    await breaker.run(() => Promise.reject(new Error("down"))).catch(() => {});
    const ws = await prisma().workspace.findUniqueOrThrow({ where: { slug: "acme" } });
    await pool().query(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, created_at)
       VALUES (gen_random_uuid(), $1, 'google', 'api', 'old.csv', 1, 'x', 'k', 'pending', now() - interval '2 hours')`,
      [ws.id],
    );
    const families = await scrape();
    expect(sampleValue(families, "ingestion_circuit_breaker_state", { breaker: "webhook" })).toBe(2);
    expect(sampleValue(families, "ingestion_stuck_uploads")).toBe(1);
  });
});

describe("/api/cron/monitor and readiness samples", () => {
  it("needs the cron secret, runs the monitor and records a readiness sample for the minute", async () => {
    expect((await fetch(`${routes.url}/api/cron/monitor`)).status).toBe(401);
    const response = await fetch(`${routes.url}/api/cron/monitor`, { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ worker: "monitor", outcome: "ok", readiness: { ok: true, stored: true } });
    const samples = await prisma().readinessSample.findMany();
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ ok: true, failedCheck: null });
    expect(await prisma().workerRun.count({ where: { worker: "monitor", outcome: "ok" } })).toBe(1);
  });

  it("keeps a sample taken while the database is unreachable and writes it once it is back", async () => {
    const dead = new pg.Pool({ connectionString: "postgresql://postgres:postgres@127.0.0.1:1/none", connectionTimeoutMillis: 500 });
    dead.on("error", () => {});
    const down = await sampleReadiness(dead, new Date("2030-01-01T00:00:30Z"));
    await dead.end();
    expect(down).toMatchObject({ ok: false, failedCheck: "database", stored: false });
    await sampleReadiness(pool(), new Date("2030-01-01T00:01:10Z"));
    await sampleReadiness(pool(), new Date("2030-01-01T00:01:40Z"));
    const samples = await prisma().readinessSample.findMany({ orderBy: { minute: "asc" } });
    expect(samples.map((s) => [s.minute.toISOString(), s.ok, s.failedCheck])).toEqual([
      ["2030-01-01T00:00:00.000Z", false, "database"],
      ["2030-01-01T00:01:00.000Z", true, null],
    ]);
  });
});
