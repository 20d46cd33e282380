import { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase, createWorkspace } from "@/lib/testing/db";
import { insertUpload } from "@/lib/testing/signal-fixtures";
import { runParse } from "@/lib/workers/run-workers";
import type { FileStore } from "@/lib/storage/file-store";
import { breakerConfigSchema } from "./breaker-state";
import { CircuitBreaker, isCircuitOpen } from "./circuit-breaker";
import { GuardedFileStore } from "@/lib/storage/guarded-file-store";
import { listBreakers } from "./list-breakers";
import { getBreaker, resetBreakers } from "./registry";

const config = breakerConfigSchema.parse({ failureThreshold: 3, windowMs: 60_000, coolDownMs: 30_000, probeTimeoutMs: 60_000 });
const T0 = new Date("2030-01-01T00:00:00Z");

function clock(start = T0) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

const boom = () => Promise.reject(new Error("connection refused"));
const ok = () => Promise.resolve("ok");
const attempt = <T>(p: Promise<T>) =>
  p.then(
    (v) => ({ ok: true as const, v, e: null as unknown }),
    (e: unknown) => ({ ok: false as const, e }),
  );

async function stored(name: string) {
  return prisma().circuitBreaker.findUnique({ where: { name } });
}
async function events(name: string) {
  return (await prisma().circuitBreakerEvent.findMany({ where: { breaker: name }, orderBy: { id: "asc" } })).map((e) => `${e.fromState}→${e.toState}`);
}

// A pool whose server is gone: every query fails the way a database outage does.
const deadPool = new pg.Pool({ connectionString: "postgresql://postgres:postgres@127.0.0.1:1/none", connectionTimeoutMillis: 500 });
deadPool.on("error", () => {});

afterAll(async () => {
  await deadPool.end().catch(() => {});
});

beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
});

describe("a circuit breaker persisted in PostgreSQL", () => {
  it("opens after N failures within the window, refuses until the cool-down, lets one probe through and closes on its success", async () => {
    const c = clock();
    const breaker = new CircuitBreaker("test.db", config, pool, c.now);
    for (let i = 0; i < 2; i++) expect((await attempt(breaker.run(boom))).ok).toBe(false);
    expect((await stored("test.db"))?.state).toBe("CLOSED");
    expect((await stored("test.db"))?.failureCount).toBe(2);
    await attempt(breaker.run(boom));
    const open = await stored("test.db");
    expect(open).toMatchObject({ state: "OPEN", failureCount: 3, lastError: "connection refused" });
    expect(open?.nextAttemptAt?.getTime()).toBe(T0.getTime() + 30_000);

    // Refused without calling the function.
    let called = false;
    const refused = await attempt(breaker.run(async () => void (called = true)));
    expect(refused.ok).toBe(false);
    expect(isCircuitOpen(refused.e)).toBe(true);
    expect(called).toBe(false);

    c.advance(30_001);
    // The probe runs; while it is in flight a second caller (another instance) is refused.
    const other = new CircuitBreaker("test.db", config, pool, c.now);
    let release!: () => void;
    const probe = breaker.run(() => new Promise<string>((resolve) => (release = () => resolve("probed"))));
    await expect.poll(async () => (await stored("test.db"))?.state).toBe("HALF_OPEN");
    expect(isCircuitOpen((await attempt(other.run(ok))).e)).toBe(true);
    release();
    expect(await probe).toBe("probed");
    expect(await stored("test.db")).toMatchObject({ state: "CLOSED", failureCount: 0 });
    expect(await events("test.db")).toEqual(["CLOSED→OPEN", "OPEN→HALF_OPEN", "HALF_OPEN→CLOSED"]);
  });

  it("does not add up failures that fall outside the window", async () => {
    const c = clock();
    const breaker = new CircuitBreaker("test.window", config, pool, c.now);
    await attempt(breaker.run(boom));
    await attempt(breaker.run(boom));
    c.advance(61_000);
    await attempt(breaker.run(boom));
    expect(await stored("test.window")).toMatchObject({ state: "CLOSED", failureCount: 1 });
  });

  it("a failed probe re-opens it for another cool-down", async () => {
    const c = clock();
    const breaker = new CircuitBreaker("test.reopen", config, pool, c.now);
    for (let i = 0; i < 3; i++) await attempt(breaker.run(boom));
    c.advance(31_000);
    await attempt(breaker.run(boom));
    const row = await stored("test.reopen");
    expect(row?.state).toBe("OPEN");
    expect(row?.nextAttemptAt?.getTime()).toBe(c.now().getTime() + 30_000);
    expect(await events("test.reopen")).toEqual(["CLOSED→OPEN", "OPEN→HALF_OPEN", "HALF_OPEN→OPEN"]);
  });

  it("shares one state between instances: a breaker opened by one refuses calls on another", async () => {
    const c = clock();
    const a = new CircuitBreaker("test.shared", config, pool, c.now);
    const b = new CircuitBreaker("test.shared", config, pool, c.now);
    await attempt(a.run(boom));
    await attempt(b.run(boom));
    await attempt(a.run(boom));
    expect(isCircuitOpen((await attempt(b.run(ok))).e)).toBe(true);
  });

  it("keeps deciding in memory while the database is unreachable, and writes what it decided once it is back", async () => {
    const c = clock();
    let db: pg.Pool = deadPool;
    const breaker = new CircuitBreaker("test.outage", config, () => db, c.now);
    for (let i = 0; i < 3; i++) await attempt(breaker.run(boom));
    expect((await breaker.snapshot()).state).toBe("OPEN");
    expect(isCircuitOpen((await attempt(breaker.run(ok))).e)).toBe(true);
    expect(await stored("test.outage")).toBeNull();

    db = pool();
    c.advance(31_000);
    expect(await breaker.run(ok)).toBe("ok");
    expect(await stored("test.outage")).toMatchObject({ state: "CLOSED" });
    // The transitions made during the outage are in the history too.
    expect(await events("test.outage")).toEqual(["CLOSED→OPEN", "OPEN→HALF_OPEN", "HALF_OPEN→CLOSED"]);
  });

  it("is listed for the console with its history, and unknown breakers show as CLOSED", async () => {
    const c = clock();
    const breaker = new CircuitBreaker("webhook", config, pool, c.now);
    for (let i = 0; i < 3; i++) await attempt(breaker.run(boom));
    const list = await listBreakers(pool());
    const webhook = list.find((b) => b.name === "webhook")!;
    expect(webhook).toMatchObject({ state: "OPEN", stateValue: 2, failureCount: 3, lastError: "connection refused" });
    expect(webhook.history.map((h) => `${h.from}→${h.to}`)).toEqual(["CLOSED→OPEN"]);
    expect(list.find((b) => b.name === "worker.parse")).toMatchObject({ state: "CLOSED", stateValue: 0, history: [] });
  });
});

describe("the workers behind their breakers", () => {
  async function pendingUpload() {
    const ws = await createWorkspace("acme");
    return (await insertUpload(ws.id, { status: "pending" })).id;
  }

  it("a parse worker whose database breaker is open does no work and says so in its run summary", async () => {
    const id = await pendingUpload();
    const c = clock(new Date());
    const breaker = getBreaker("worker.parse", { config: { failureThreshold: 2 }, now: c.now });
    await attempt(breaker.run(boom));
    await attempt(breaker.run(boom));
    const run = await runParse();
    expect(run).toMatchObject({ outcome: "skipped", items: 0 });
    expect(String((run as { reason?: unknown }).reason)).toMatch(/worker\.parse is open/);
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
    const recorded = await prisma().workerRun.findFirstOrThrow({ where: { worker: "parse" }, orderBy: { id: "desc" } });
    expect(recorded.outcome).toBe("skipped");
    expect(JSON.stringify(recorded.summary)).toContain("worker.parse is open");
  });

  it("failing database calls open the worker's breaker; after the cool-down a probe run closes it", async () => {
    await pendingUpload();
    const c = clock(new Date());
    getBreaker("worker.promote", { config: { failureThreshold: 2 }, now: c.now });
    await pool().query(`ALTER TABLE uploads RENAME TO uploads_away`);
    try {
      for (let i = 0; i < 2; i++) await expect(runPromoteSafe()).resolves.toMatchObject({ failed: true });
      expect((await stored("worker.promote"))?.state).toBe("OPEN");
      expect(await runPromoteSafe()).toMatchObject({ run: { outcome: "skipped" } });
    } finally {
      await pool().query(`ALTER TABLE uploads_away RENAME TO uploads`);
    }
    c.advance(31_000);
    expect(await runPromoteSafe()).toMatchObject({ run: { outcome: "ok" } });
    expect((await stored("worker.promote"))?.state).toBe("CLOSED");
  });

  it("a failing file store opens its breaker: reads fail fast and the parse worker waits instead of failing uploads", async () => {
    const id = await pendingUpload();
    let reads = 0;
    const broken: FileStore = {
      put: async () => {},
      delete: async () => {},
      exists: async () => true,
      ping: async () => {},
      get: () => {
        reads++;
        return new Readable({
          read() {
            this.destroy(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
          },
        });
      },
    };
    const missing: FileStore = {
      ...broken,
      get: () =>
        new Readable({
          read() {
            this.destroy(Object.assign(new Error("ENOENT"), { code: "ENOENT" }));
          },
        }),
    };
    const c = clock(new Date());
    getBreaker("file-store", { config: { failureThreshold: 2 }, now: c.now });
    const store = new GuardedFileStore(broken, () => getBreaker("file-store"));
    const drain = (s: Readable) =>
      new Promise<unknown>((resolve) =>
        s
          .on("error", resolve)
          .on("end", () => resolve(null))
          .resume(),
      );

    // A missing file is not the store failing.
    await drain(new GuardedFileStore(missing, () => getBreaker("file-store")).get("a"));
    expect(await stored("file-store")).toBeNull();

    expect(String(await drain(store.get("a")))).toContain("EIO");
    expect(String(await drain(store.get("b")))).toContain("EIO");
    await expect.poll(async () => (await stored("file-store"))?.state).toBe("OPEN");
    const fast = await drain(store.get("c"));
    expect(isCircuitOpen(fast)).toBe(true);
    expect(reads).toBe(2);

    const run = await runParse();
    expect(run).toMatchObject({ outcome: "skipped" });
    expect(String((run as { reason?: unknown }).reason)).toMatch(/file-store circuit breaker is OPEN/);
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
  });
});

async function runPromoteSafe() {
  const { runPromote } = await import("@/lib/workers/run-workers");
  try {
    return { run: await runPromote() };
  } catch (error) {
    return { failed: true, error };
  }
}
