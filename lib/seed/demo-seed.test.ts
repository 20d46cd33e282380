import { beforeEach, describe, expect, it } from "vitest";
import { overview } from "@/lib/console/overview";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { seedDemo, STALE_DAYS } from "./demo-seed";

beforeEach(async () => {
  await resetDatabase();
});

describe("demo seed", () => {
  it("dates its history relative to today: acme fresh, globex deliberately stale, and seeding twice adds nothing", async () => {
    await seedDemo(prisma(), { apiKey: "ik_demo_test_key_0123456789", nodeEnv: "test" });
    await seedDemo(prisma(), { apiKey: "ik_demo_test_key_0123456789", nodeEnv: "test" });
    expect(await prisma().upload.count()).toBe(6);
    const o = await overview(pool());
    const level = (ws: string) => [...new Set(o.freshness.filter((f) => f.workspace === ws).map((f) => f.level))];
    expect(level("acme")).toEqual(["ok"]);
    expect(level("globex")).not.toContain("ok");
    const globex = o.freshness.filter((f) => f.workspace === "globex");
    expect(globex).toHaveLength(3);
    const today = new Date();
    const newest = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - STALE_DAYS)).toISOString().slice(0, 10);
    expect(globex.map((f) => f.newestDate)).toEqual([newest, newest, newest]);
  });
});
