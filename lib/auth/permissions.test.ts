import { describe, expect, it } from "vitest";
import { ACTIONS, ROLES, can, decide, decideHalt, decideLiftHalt, rolesFor } from "./permissions";

describe("permission matrix", () => {
  it("lets every role view the console and nothing grants an unknown role", () => {
    for (const role of ROLES) expect(can({ roles: [role] }, "console.view")).toBe(true);
    expect(can({ roles: [] }, "console.view")).toBe(false);
  });

  it("follows the seeds' authority", () => {
    expect(can({ roles: ["oncall"] }, "controls.drain")).toBe(true);
    expect(can({ roles: ["oncall"] }, "upload.force_fail")).toBe(true);
    expect(can({ roles: ["oncall"] }, "controls.halt")).toBe(false);
    expect(can({ roles: ["oncall"] }, "controls.halt_p1")).toBe(true);
    expect(can({ roles: ["oncall"] }, "cleanup.approve")).toBe(false);
    expect(can({ roles: ["sre_lead"] }, "cleanup.approve")).toBe(true);
    expect(can({ roles: ["viewer"] }, "upload.force_fail")).toBe(false);
    expect(can({ roles: ["pm"] }, "ga.sign_pm")).toBe(true);
    expect(can({ roles: ["pm"] }, "ga.sign_sre")).toBe(false);
    expect(can({ roles: ["admin"] }, "ga.sign_pm")).toBe(false);
    expect(can({ roles: ["support_lead"] }, "partial.acknowledge")).toBe(true);
  });

  it("unions the permissions of several roles", () => {
    expect(can({ roles: ["viewer", "pm"] }, "ga.sign_pm")).toBe(true);
  });

  it("refuses kill-switch actions to a suspended user, with the reason", () => {
    expect(decide({ roles: ["sre_lead"], killSwitchSuspended: true }, "controls.halt")).toEqual({
      allowed: false,
      reason: "your kill-switch privileges are suspended",
    });
    expect(can({ roles: ["sre_lead"], killSwitchSuspended: true }, "upload.force_fail")).toBe(true);
    // Suspending and restoring are kill-switch privileges too: a suspended user lifts no suspension.
    expect(decide({ roles: ["sre_lead"], killSwitchSuspended: true }, "controls.suspend_kill_switch")).toMatchObject({ allowed: false, reason: "your kill-switch privileges are suspended" });
  });

  it("lets on-call halt only during a P1, and lift only an on-call halt", () => {
    expect(decideHalt({ roles: ["sre_lead"] }, null)).toEqual({ allowed: true, authority: "controls.halt" });
    expect(decideHalt({ roles: ["oncall"] }, "P1")).toEqual({ allowed: true, authority: "controls.halt_p1" });
    expect(decideHalt({ roles: ["oncall"] }, "P2")).toMatchObject({ allowed: false });
    expect(decideHalt({ roles: ["oncall"], killSwitchSuspended: true }, "P1")).toEqual({ allowed: false, reason: "your kill-switch privileges are suspended" });
    expect(decideHalt({ roles: ["viewer"] }, "P1")).toEqual({ allowed: false, reason: "requires sre_lead or ingestion_owner or admin" });
    expect(decideLiftHalt({ roles: ["oncall"] }, "P1", "controls.halt_p1")).toEqual({ allowed: true });
    expect(decideLiftHalt({ roles: ["oncall"] }, "P1", "controls.halt")).toMatchObject({ allowed: false });
    expect(decideLiftHalt({ roles: ["ingestion_owner"] }, null, "controls.halt")).toEqual({ allowed: true });
  });

  it("explains a refusal by naming the roles that may", () => {
    expect(decide({ roles: ["viewer"] }, "controls.halt")).toEqual({
      allowed: false,
      reason: "requires sre_lead or ingestion_owner or admin",
    });
  });

  it("grants every action to someone", () => {
    for (const action of ACTIONS) expect(rolesFor(action).length).toBeGreaterThan(0);
  });
});
