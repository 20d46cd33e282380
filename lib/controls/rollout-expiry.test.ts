import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { liftExpiredControls, setRollout } from "./change-control";
import { readControls, workspaceAllowedByRollout } from "./controls";

const owner = { id: "00000000-0000-0000-0000-0000000000e1", email: "owner@example.com", roles: ["ingestion_owner" as const] };
const rolloutRow = () => prisma().ingestionControl.findUniqueOrThrow({ where: { key: "rollout" } });
const change = { reason: "widen the rollout for the pilot", incidentId: "CHG-12" };

beforeEach(resetDatabase);

describe("a rollout change that expires", () => {
  it("restores the previous phase and allowlist, for readers at once and in the row after the sweep", async () => {
    await setRollout(pool(), owner, { phase: "P1", allowlist: ["globex"], ...change, expectedVersion: (await rolloutRow()).version });
    await setRollout(pool(), owner, {
      phase: "P2",
      allowlist: ["globex", "acme"],
      ...change,
      expiresAt: new Date(Date.now() + 300),
      expectedVersion: (await rolloutRow()).version,
    });
    expect((await readControls(pool())).rollout.value).toEqual({ phase: "P2", allowlist: ["globex", "acme"] });

    await new Promise((r) => setTimeout(r, 400));
    const controls = await readControls(pool());
    expect(controls.rollout.value).toEqual({ phase: "P1", allowlist: ["globex"] });
    expect(workspaceAllowedByRollout(controls, "globex")).toBe(true);
    expect(workspaceAllowedByRollout(controls, "acme")).toBe(false);

    expect(await liftExpiredControls(pool())).toBe(1);
    expect(await rolloutRow()).toMatchObject({ value: { phase: "P1", allowlist: ["globex"] }, expiresAt: null, setBy: "system" });
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "controls.auto_resume", targetId: "rollout" } });
    expect(audit).toMatchObject({
      actorEmail: "system",
      before: { phase: "P2", allowlist: ["globex", "acme"] },
      after: { phase: "P1", allowlist: ["globex"] },
    });
    // Nothing left to lift.
    expect(await liftExpiredControls(pool())).toBe(0);
  });

  it("replacing a temporary change keeps the phase that was in force before it as the one to restore", async () => {
    await setRollout(pool(), owner, { phase: "P3", allowlist: [], ...change, expectedVersion: (await rolloutRow()).version });
    await setRollout(pool(), owner, {
      phase: "P1",
      allowlist: ["acme"],
      ...change,
      expiresAt: new Date(Date.now() + 60_000),
      expectedVersion: (await rolloutRow()).version,
    });
    await setRollout(pool(), owner, {
      phase: "P2",
      allowlist: ["acme"],
      ...change,
      expiresAt: new Date(Date.now() + 300),
      expectedVersion: (await rolloutRow()).version,
    });
    await new Promise((r) => setTimeout(r, 400));
    expect((await readControls(pool())).rollout.value).toEqual({ phase: "P3", allowlist: [] });
    await liftExpiredControls(pool());
    expect((await rolloutRow()).value).toEqual({ phase: "P3", allowlist: [] });
  });
});
