import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { findRunbook } from "./load-runbooks";
import { recordRunbookStep, startRunbookExecution } from "./runbook-executions";
import type { Actor } from "@/lib/auth/actor";

const support: Actor = { id: null, email: "support@example.com", roles: ["support_lead"] };
const pm: Actor = { id: null, email: "pm@example.com", roles: ["pm"] };

beforeEach(resetDatabase);

describe("runbooks by owner (D10-02, D10-04)", () => {
  it("lets the Support Lead run the D10-02 runbook, and refuses (audited) one owned by another role", async () => {
    const run = await startRunbookExecution(pool(), support, { runbook: "d10-02-partial-promotion", incidentId: "SUP-1" });
    expect(run).toMatchObject({ status: "open", startedBy: "support@example.com" });
    const first = findRunbook("d10-02-partial-promotion")!.steps[0];
    const withStep = await recordRunbookStep(pool(), support, { executionId: run.id, stepId: first.id, result: "ok" });
    expect(withStep.latest[first.id]).toMatchObject({ result: "ok", recordedBy: "support@example.com" });

    await expect(startRunbookExecution(pool(), support, { runbook: "d10-09-kill-switch-not-applied", incidentId: "INC-1" })).rejects.toMatchObject({ status: 403, code: "RUNBOOK_NOT_YOURS" });
    const refused = await prisma().auditLog.findFirstOrThrow({ where: { outcome: "refused" } });
    expect(refused).toMatchObject({ action: "runbook.start", actorEmail: "support@example.com", targetId: "d10-09-kill-switch-not-applied" });
    expect(refused.refusedReason).toMatch(/belongs to/);
  });

  it("lets the PM run the D10-04 runbook (record the accepted unknown)", async () => {
    expect(await startRunbookExecution(pool(), pm, { runbook: "d10-04-alert-misfire", incidentId: "INC-4" })).toMatchObject({ status: "open" });
  });
});
