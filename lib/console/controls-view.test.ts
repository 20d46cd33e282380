import { beforeEach, describe, expect, it } from "vitest";
import { setMode } from "@/lib/controls/change-control";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { controlsView } from "./controls-view";

const sre = { id: "00000000-0000-0000-0000-0000000000c1", email: "sre@example.com", roles: ["sre_lead" as const] };
const oncall = { id: "00000000-0000-0000-0000-0000000000c2", email: "oncall@example.com", roles: ["oncall" as const] };
const modeVersion = async () => (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;

beforeEach(resetDatabase);

describe("the Controls page's view", () => {
  it("tells on-call why they cannot lift an SRE lead's halt, and that they may lift their own P1 halt by declaring the P1", async () => {
    await setMode(pool(), sre, { mode: "halted", reason: "bad data", incidentId: "INC-1", expectedVersion: await modeVersion() });
    expect((await controlsView(pool(), oncall)).liftHalt).toEqual({
      allowed: false,
      reason: "requires sre_lead or ingestion_owner or admin (set by sre@example.com with the halt privilege)",
    });
    expect((await controlsView(pool(), sre)).liftHalt).toEqual({ allowed: true, needsP1: false });

    await setMode(pool(), sre, { mode: "running", reason: "fixed", incidentId: "INC-1", expectedVersion: await modeVersion() });
    await setMode(pool(), oncall, { mode: "halted", severity: "P1", reason: "bad data", incidentId: "INC-2", expectedVersion: await modeVersion() });
    const view = await controlsView(pool(), oncall);
    expect(view.controls.mode.value).toEqual({ mode: "halted", severity: "P1", authority: "controls.halt_p1" });
    expect(view.liftHalt).toEqual({ allowed: true, needsP1: true });
  });

  it("marks the user's own row and names the incident ID form", async () => {
    await prisma().user.create({ data: { id: sre.id, email: sre.email, roles: ["sre_lead"] } });
    await prisma().user.create({ data: { id: oncall.id, email: oncall.email, roles: ["oncall"] } });
    const view = await controlsView(pool(), sre);
    expect(view.users.map((u) => [u.email, u.isMe])).toEqual([
      ["oncall@example.com", false],
      ["sre@example.com", true],
    ]);
    expect(view.incidentIdFormat).toMatchObject({ example: "INC-1234" });
  });
});
