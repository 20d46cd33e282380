import { beforeEach, describe, expect, it } from "vitest";
import { setMode } from "@/lib/controls/change-control";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { checkIncidentId, incidentIdFormat } from "./accountable";

const sre = { id: "00000000-0000-0000-0000-00000000000b", email: "sre@example.com", roles: ["sre_lead" as const] };

describe("incident IDs (D10-05)", () => {
  beforeEach(resetDatabase);

  it("a control change with an incident ID not in the expected form is refused, naming the form, and audited", async () => {
    const before = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    for (const incidentId of ["incident 7", "inc-1234", "INC-", "INC-12a", "#4711"]) {
      await expect(setMode(pool(), sre, { mode: "draining", reason: "spike", incidentId, expectedVersion: before.version })).rejects.toMatchObject({
        status: 400,
        code: "BAD_INCIDENT_ID",
        message: expect.stringContaining("INC-1234"),
      });
    }
    expect(await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).toEqual(before);
    const refused = await prisma().auditLog.findMany({ where: { action: "controls.drain", outcome: "refused" } });
    expect(refused.map((r) => r.incidentId)).toEqual(["incident 7", "inc-1234", "INC-", "INC-12a", "#4711"]);

    await setMode(pool(), sre, { mode: "draining", reason: "spike", incidentId: " INC-1234 ", expectedVersion: before.version });
    expect(await prisma().auditLog.findFirstOrThrow({ where: { action: "controls.drain", outcome: "ok" } })).toMatchObject({ incidentId: "INC-1234" });
  });

  it("follows a configured pattern, and the message shows it", () => {
    expect(checkIncidentId("INC-1234")).toBeNull();
    expect(checkIncidentId("SEC2-9")).toBeNull();
    expect(checkIncidentId("INC-1234", "^PD-[0-9]{6}$")?.message).toContain("^PD-[0-9]{6}$");
    expect(checkIncidentId("PD-000123", "^PD-[0-9]{6}$")).toBeNull();
    expect(incidentIdFormat()).toMatchObject({ pattern: "^[A-Z][A-Z0-9]+-\\d+$", example: "INC-1234" });
    expect(incidentIdFormat("^PD-[0-9]{6}$")).toMatchObject({ pattern: "^PD-[0-9]{6}$", example: null });
  });
});
