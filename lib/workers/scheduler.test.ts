import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createWorkspace, pool, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { env } from "@/lib/env";
import { schedulerStopped, startScheduler } from "./scheduler";
import { stopWorkers } from "./shutdown";

// A long interval: an upload that waited for the next tick would take a minute.
vi.hoisted(() => {
  process.env.SCHEDULER_INTERVAL_MS = "60000";
  process.env.MONITOR_INTERVAL_MS = "60000";
});

const api = serveApiForTests();

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the scheduler", () => {
  beforeAll(async () => {
    await resetDatabase();
    await createWorkspace("acme");
  });
  afterAll(async () => {
    await stopWorkers(10_000);
    await schedulerStopped();
  });

  it("starts the next step at once: an upload received while it sleeps reaches completed far within one interval", async () => {
    expect(env().SCHEDULER_INTERVAL_MS).toBe(60_000);
    const key = await apiKeyFor("acme");
    startScheduler();
    // Its first tick ran (nothing to do) and it now sleeps for the interval.
    await waitFor(async () => (await pool().query(`SELECT 1 FROM worker_runs WHERE worker = 'cleanup' AND finished_at IS NOT NULL`)).rowCount);
    await new Promise((r) => setTimeout(r, 200));

    const csv = ["Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks", "2024-01-01,1,A,10,100,1", "2024-01-02,1,A,12,100,1"].join("\n");
    const created = await postUpload(api.url, key, Buffer.from(csv));
    expect(created.status).toBe(201);
    await waitFor(async () => (await pool().query(`SELECT 1 FROM uploads WHERE id = $1 AND status = 'completed'`, [created.body.id])).rowCount);

    const { rows } = await pool().query<{ to_status: string; after_ms: number }>(
      `SELECT to_status, extract(epoch FROM created_at - first_value(created_at) OVER (ORDER BY id)) * 1000 AS after_ms
         FROM upload_events WHERE upload_id = $1 ORDER BY id`,
      [created.body.id],
    );
    expect(rows.map((r) => r.to_status)).toEqual(["pending", "processing", "staged", "promoting", "completed"]);
    // Received → completed in a small part of one interval: no step waited for a tick.
    expect(Number(rows.at(-1)!.after_ms)).toBeLessThan(env().SCHEDULER_INTERVAL_MS / 10);
    // And the parse and the promotion ran in one run each: no tick in between.
    const runs = await pool().query(`SELECT worker, count(*)::int AS n FROM worker_runs WHERE items > 0 GROUP BY worker ORDER BY worker`);
    expect(runs.rows).toEqual([
      { worker: "parse", n: 1 },
      { worker: "promote", n: 1 },
    ]);
  });
});
