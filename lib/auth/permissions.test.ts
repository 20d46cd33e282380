import { describe, expect, it } from "vitest";
import { ACTION_INFO, ACTIONS, ROLES, can, decide, decideHalt, decideLiftHalt, decideRunbook, rolesFor } from "./permissions";

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
    expect(decide({ roles: ["sre_lead"], killSwitchSuspended: true }, "controls.suspend_kill_switch")).toMatchObject({
      allowed: false,
      reason: "your kill-switch privileges are suspended",
    });
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

  it("follows the D10 §8 decision matrix: on-call PAUSEs and STOPs without a P1, the PM DOCUMENTs, the Support Lead handles partials", () => {
    // PAUSE and STOP, no P1 needed.
    for (const action of ["controls.drain", "controls.workspace_pause", "controls.freeze_worker"] as const)
      expect(can({ roles: ["oncall"] }, action)).toBe(true);
    expect(decideHalt({ roles: ["oncall"] }, null)).toMatchObject({ allowed: false });
    // DOCUMENT (D10-04).
    expect(can({ roles: ["pm"] }, "postmortem.write")).toBe(true);
    expect(can({ roles: ["pm"] }, "incident.accept_unknown")).toBe(true);
    expect(can({ roles: ["oncall"] }, "incident.accept_unknown")).toBe(false);
    expect(can({ roles: ["pm"] }, "controls.drain")).toBe(false);
    // D10-02.
    expect(can({ roles: ["support_lead"] }, "partial.acknowledge")).toBe(true);
    expect(can({ roles: ["support_lead"] }, "upload.force_fail")).toBe(false);
    // D10-06: the SRE lead edits the roster.
    expect(rolesFor("roster.edit")).toEqual(["sre_lead"]);
  });

  it("lets a role run the runbooks it owns, and only those, unless it may run any", () => {
    expect(decideRunbook({ roles: ["support_lead"] }, "support_lead")).toEqual({ allowed: true });
    expect(decideRunbook({ roles: ["support_lead"] }, "sre_lead")).toMatchObject({ allowed: false, reason: expect.stringMatching(/belongs to sre_lead/) });
    expect(decideRunbook({ roles: ["pm"] }, "pm")).toEqual({ allowed: true });
    expect(decideRunbook({ roles: ["oncall"] }, "sre_lead")).toEqual({ allowed: true });
    expect(decideRunbook({ roles: ["viewer"] }, "viewer")).toMatchObject({ allowed: false, reason: expect.stringMatching(/^requires /) });
  });

  it("describes every action and names the seed it follows", () => {
    for (const action of ACTIONS) {
      expect(ACTION_INFO[action].description.length).toBeGreaterThan(10);
      expect(ACTION_INFO[action].seed).toMatch(/D\d|DESIGN|Iteration/);
    }
  });

  it("grants every action to someone", () => {
    for (const action of ACTIONS) expect(rolesFor(action).length).toBeGreaterThan(0);
  });
});
