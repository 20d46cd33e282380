import { beforeEach, describe, expect, it } from "vitest";
import { resetBreakers } from "@/lib/breakers/registry";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { runMonitor } from "../workers/run-monitor";

beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
});

const monitor = (now: Date) => runMonitor(pool(), { now, webhookUrl: null });
const at = (minutes: number) => new Date(Date.UTC(2030, 0, 7, 14, minutes));
const sample = (minutes: number, ok: boolean) =>
  pool().query(`INSERT INTO readiness_samples (minute, ok, failed_check, detail, instance, checked_at) VALUES ($1, $2, $3, $4, 'test', $1)`, [
    at(minutes),
    ok,
    ok ? null : "database",
    ok ? null : "connect ECONNREFUSED",
  ]);
const open = () => prisma().alert.findMany({ where: { signal: "database_unavailable", status: { not: "resolved" } } });

describe("database_unavailable: minutes the readiness samples recorded as not ready", () => {
  it("pages once the minutes of an outage are written back, and resolves once the last one is 30 min old", async () => {
    for (let m = 0; m < 10; m++) await sample(m, !(m >= 2 && m < 6));
    await monitor(at(10));
    const [alert] = await open();
    expect(alert).toMatchObject({ severity: "page", ownerRole: "oncall", runbook: "d8-circuit-breaker", value: 4 });
    expect(alert.title).toBe("Not ready for 4 minute(s) in the last 30 min");
    expect(alert.detail).toContain("connect ECONNREFUSED");
    await monitor(at(34));
    expect(await open()).toHaveLength(1);
    await monitor(at(35));
    expect(await open()).toEqual([]);
  });

  it("stays quiet while every sampled minute was ready", async () => {
    for (let m = 0; m < 10; m++) await sample(m, true);
    await monitor(at(10));
    expect(await open()).toEqual([]);
  });
});
