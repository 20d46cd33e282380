import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { listAcceptedUnknowns, recordAcceptedUnknown } from "./accepted-unknowns";
import { acceptedUnknownSchema } from "./incident.schema";
import { loadIncidentReport } from "./incident-report";
import type { Actor } from "@/lib/auth/actor";

const pm: Actor = { id: null, email: "pm@example.com", roles: ["pm"] };

beforeEach(resetDatabase);

describe("accepted unknowns (D10-04)", () => {
  it("the PM records a silent period with its impact, audited, and the postmortem of that incident lists it", async () => {
    const input = acceptedUnknownSchema.parse({
      incidentId: "INC-44",
      title: "IngestionHighErrorRate did not fire",
      from: "2026-12-01T02:00",
      to: "2026-12-01T04:00",
      impact: "Two hours of failed TikTok uploads went unnoticed for acme.",
    });
    const recorded = await recordAcceptedUnknown(pool(), pm, input);
    expect(recorded).toMatchObject({ incidentId: "INC-44", recordedBy: "pm@example.com", from: "2026-12-01T02:00:00.000Z" });
    expect(await prisma().auditLog.findFirstOrThrow({ where: { action: "incident.accept_unknown" } })).toMatchObject({
      actorEmail: "pm@example.com",
      incidentId: "INC-44",
      outcome: "ok",
    });
    expect((await listAcceptedUnknowns(pool())).map((u) => u.title)).toEqual(["IngestionHighErrorRate did not fire"]);

    const report = await loadIncidentReport(pool(), { incidentId: "INC-44", from: new Date("2026-12-01T01:00Z"), to: new Date("2026-12-01T05:00Z") });
    expect(report.markdown).toContain("## Accepted unknowns (D10-04)");
    expect(report.markdown).toContain(
      "**IngestionHighErrorRate did not fire** — 2026-12-01T02:00:00.000Z → 2026-12-01T04:00:00.000Z, recorded by `pm@example.com` at",
    );
    const other = await loadIncidentReport(pool(), { incidentId: "INC-45", from: new Date("2026-12-02T01:00Z"), to: new Date("2026-12-02T05:00Z") });
    expect(other.markdown).toContain("_None recorded._");
  });

  it("refuses a period that ends before it starts and an impact left unsaid", async () => {
    expect(acceptedUnknownSchema.safeParse({ title: "Silent", from: "2026-12-01T02:00", to: "2026-12-01T04:00", impact: "?" }).success).toBe(false);
    const backwards = acceptedUnknownSchema.parse({
      title: "Silent rule",
      from: "2026-12-01T04:00",
      to: "2026-12-01T02:00",
      impact: "Nobody noticed the failures.",
    });
    await expect(recordAcceptedUnknown(pool(), pm, backwards)).rejects.toMatchObject({ code: "BAD_WINDOW" });
  });
});
