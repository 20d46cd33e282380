import { beforeEach, describe, expect, it } from "vitest";
import type { Role } from "@/lib/auth/permissions";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { setKillSwitchSuspension, setMode, setWorkerFreeze } from "./change-control";
import type { Actor } from "@/lib/auth/actor";
import { readControls } from "./controls";

/** Operators as the console sees them: real user rows, so the domain can re-read their suspension. */
async function operator(email: string, roles: Role[], killSwitchSuspended = false): Promise<Person> {
  const user = await prisma().user.create({ data: { email, roles, killSwitchSuspended } });
  return { id: user.id, email, roles, killSwitchSuspended };
}

const version = async (key: string) => (await prisma().ingestionControl.findUniqueOrThrow({ where: { key } })).version;
const suspendedInDb = async (id: string) => (await prisma().user.findUniqueOrThrow({ where: { id } })).killSwitchSuspended;
const refusals = (action: string) => prisma().auditLog.findMany({ where: { action, outcome: "refused" } });
const why = { reason: "suspected misuse", incidentId: "INC-1234" };

type Person = Actor & { id: string };
let sre: Person, sre2: Person, oncall: Person, owner: Person;

beforeEach(async () => {
  await resetDatabase();
  sre = await operator("sre@example.com", ["sre_lead"]);
  sre2 = await operator("sre2@example.com", ["sre_lead"]);
  oncall = await operator("oncall@example.com", ["oncall"]);
  owner = await operator("owner@example.com", ["ingestion_owner"]);
});

describe("suspending and restoring kill-switch privileges (D10-05)", () => {
  it("a suspended user cannot lift their own suspension, and the attempt is audited", async () => {
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: true, ...why });
    const suspended = { ...sre, killSwitchSuspended: true };
    await expect(setKillSwitchSuspension(pool(), suspended, { userId: sre.id, suspended: false, ...why })).rejects.toMatchObject({ status: 403 });
    expect(await suspendedInDb(sre.id)).toBe(true);
    expect(await refusals("controls.restore_kill_switch")).toHaveLength(1);
  });

  it("a suspended user cannot lift anyone else's suspension nor suspend anyone", async () => {
    const sre3 = await operator("sre3@example.com", ["sre_lead"], true);
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: true, ...why });
    const suspended = { ...sre, killSwitchSuspended: true };
    await expect(setKillSwitchSuspension(pool(), suspended, { userId: sre3.id, suspended: false, ...why })).rejects.toMatchObject({ status: 403 });
    await expect(setKillSwitchSuspension(pool(), suspended, { userId: sre2.id, suspended: true, ...why })).rejects.toMatchObject({ status: 403 });
    expect(await suspendedInDb(sre3.id)).toBe(true);
    expect(await suspendedInDb(sre2.id)).toBe(false);
  });

  it("uses the suspension stored now, not the one the session read earlier", async () => {
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: true, ...why });
    // `sre` still carries killSwitchSuspended: false from before the suspension.
    await expect(setKillSwitchSuspension(pool(), sre, { userId: sre2.id, suspended: true, ...why })).rejects.toMatchObject({ status: 403 });
    await expect(setMode(pool(), sre, { mode: "halted", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({ status: 403 });
    expect(await suspendedInDb(sre2.id)).toBe(false);
    expect((await readControls(pool())).mode.value.mode).toBe("running");
  });

  it("suspending and restoring both need controls.suspend_kill_switch", async () => {
    const suspendedOncall = await operator("oncall2@example.com", ["oncall"], true);
    await expect(setKillSwitchSuspension(pool(), oncall, { userId: sre.id, suspended: true, ...why })).rejects.toMatchObject({ status: 403 });
    await expect(setKillSwitchSuspension(pool(), owner, { userId: suspendedOncall.id, suspended: false, ...why })).rejects.toMatchObject({ status: 403 });
    expect(await suspendedInDb(sre.id)).toBe(false);
    expect(await suspendedInDb(suspendedOncall.id)).toBe(true);
    expect(await refusals("controls.suspend_kill_switch")).toHaveLength(1);
    expect(await refusals("controls.restore_kill_switch")).toHaveLength(1);
  });

  it("needs a different actor than the target", async () => {
    await expect(setKillSwitchSuspension(pool(), sre, { userId: sre.id, suspended: true, ...why })).rejects.toMatchObject({
      status: 403,
      code: "SELF_KILL_SWITCH",
    });
    expect(await suspendedInDb(sre.id)).toBe(false);
    // Another SRE lead may, and lifting it is again someone else's call.
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: true, ...why });
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: false, reason: "cleared", incidentId: "INC-1234" });
    expect(await suspendedInDb(sre.id)).toBe(false);
  });
});

describe("a suspended user's control changes are refused", () => {
  it("cannot halt, drain, resume or freeze; nothing changes and each refusal is audited", async () => {
    await setMode(pool(), sre2, { mode: "draining", ...why, expectedVersion: await version("mode") });
    await setKillSwitchSuspension(pool(), sre2, { userId: sre.id, suspended: true, ...why });
    await setKillSwitchSuspension(pool(), sre2, { userId: oncall.id, suspended: true, ...why });
    const suspendedSre = { ...sre, killSwitchSuspended: true };
    const suspendedOncall = { ...oncall, killSwitchSuspended: true };
    const before = await prisma().ingestionControl.findMany({ orderBy: { key: "asc" } });

    for (const actor of [suspendedSre, suspendedOncall]) {
      await expect(setMode(pool(), actor, { mode: "halted", severity: "P1", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({
        status: 403,
      });
      await expect(setMode(pool(), actor, { mode: "running", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({ status: 403 });
    }
    await setMode(pool(), sre2, { mode: "running", ...why, expectedVersion: await version("mode") });
    await expect(setMode(pool(), suspendedOncall, { mode: "draining", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({ status: 403 });
    await expect(
      setWorkerFreeze(pool(), suspendedSre, { worker: "promote", frozen: true, ...why, expectedVersion: await version("freeze.promote") }),
    ).rejects.toMatchObject({ status: 403 });

    const after = await prisma().ingestionControl.findMany({ orderBy: { key: "asc" } });
    expect(after.filter((c) => c.key !== "mode")).toEqual(before.filter((c) => c.key !== "mode"));
    expect((await readControls(pool())).mode.value.mode).toBe("running");
    expect((await prisma().auditLog.findMany({ where: { outcome: "refused" }, orderBy: { id: "asc" } })).map((a) => a.action)).toEqual([
      "controls.halt",
      "controls.resume",
      "controls.halt",
      "controls.resume",
      "controls.drain",
      "controls.freeze_worker",
    ]);
  });
});

describe("halt authority", () => {
  it("records on-call's P1 halt with its severity in the audit row", async () => {
    await setMode(pool(), oncall, { mode: "halted", severity: "P1", reason: "data corruption", incidentId: "INC-77", expectedVersion: await version("mode") });
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "controls.halt", outcome: "ok" } });
    expect(audit).toMatchObject({ actorEmail: "oncall@example.com", incidentId: "INC-77" });
    expect(audit.after).toMatchObject({ mode: "halted", severity: "P1" });
  });

  it("on-call cannot lift a halt set by an SRE lead or an ingestion owner, even during a P1", async () => {
    for (const lead of [sre, owner]) {
      await setMode(pool(), lead, { mode: "halted", ...why, expectedVersion: await version("mode") });
      for (const mode of ["running", "draining"] as const) {
        await expect(setMode(pool(), oncall, { mode, severity: "P1", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({
          status: 403,
          message: expect.stringContaining(lead.email),
        });
      }
      expect((await readControls(pool())).mode.value.mode).toBe("halted");
      await setMode(pool(), lead, { mode: "running", ...why, expectedVersion: await version("mode") });
    }
    expect(await refusals("controls.resume")).toHaveLength(2);
    expect(await refusals("controls.drain")).toHaveLength(2);
  });

  it("on-call may lift their own P1 halt (declaring the P1), and an SRE lead may lift it too", async () => {
    await setMode(pool(), oncall, { mode: "halted", severity: "P1", ...why, expectedVersion: await version("mode") });
    await expect(setMode(pool(), oncall, { mode: "running", ...why, expectedVersion: await version("mode") })).rejects.toMatchObject({ status: 403 });
    await setMode(pool(), oncall, { mode: "running", severity: "P1", ...why, expectedVersion: await version("mode") });
    expect((await readControls(pool())).mode.value.mode).toBe("running");
    await setMode(pool(), oncall, { mode: "halted", severity: "P1", ...why, expectedVersion: await version("mode") });
    await setMode(pool(), sre, { mode: "running", ...why, expectedVersion: await version("mode") });
    expect((await readControls(pool())).mode.value.mode).toBe("running");
  });
});
