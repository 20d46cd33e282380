import { beforeEach, describe, expect, it } from "vitest";
import { liftExpiredControls, setMode, setWorkspacePause } from "@/lib/controls/change-control";
import { readControls } from "@/lib/controls/controls";
import { claimUpload } from "@/lib/ingestion/claim-upload";
import { parseUpload, runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import { transitionUpload } from "./transition";
import { fileStore } from "@/lib/storage";
import { createWorkspace, pool, prisma, resetDatabase, countStagingRows } from "@/lib/testing/db";
import { apiKeyFor, fixture, postUpload, startApi } from "@/lib/testing/pipeline";
import { approveCleanup, requestCleanup } from "./cleanup-requests";
import { forceFailUpload } from "./force-fail-upload";

const oncall = { id: "00000000-0000-0000-0000-00000000000a", email: "oncall@example.com", roles: ["oncall" as const] };
const sre = { id: "00000000-0000-0000-0000-00000000000b", email: "sre@example.com", roles: ["sre_lead" as const] };
const sre2 = { id: "00000000-0000-0000-0000-00000000000c", email: "sre2@example.com", roles: ["sre_lead" as const] };

async function uploadFixture(name = "meta.csv", platform = "meta") {
  const api = await startApi();
  try {
    const created = await postUpload(api.url, await apiKeyFor("acme"), fixture(name), { workspace_id: "acme", platform });
    return created.body.id as string;
  } finally {
    await api.close();
  }
}

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
});

describe("force-fail", () => {
  it("a late worker cannot overwrite a force-fail, and staging rows are preserved", async () => {
    const id = await uploadFixture();
    const worker = await claimUpload(pool(), { worker: "parse", workerId: "w1", ready: "pending", inFlight: "processing" });
    await transitionUpload(pool(), { uploadId: id, from: "pending", to: "processing", actor: "w1", worker: { id: "w1", kind: "parse" } });
    await forceFailUpload(pool(), oncall, { uploadId: id, expectedStatus: "processing", reason: "stuck for an hour", incidentId: "INC-42" });

    // The worker wakes up with its lease still valid: its batches and transitions are refused.
    const outcome = await parseUpload(pool(), fileStore(), worker!, "w1", { today: "2030-01-01" });
    expect(outcome.result).toBe("lost_lease");
    await runPromoteWorker(pool());
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id } });
    expect(upload).toMatchObject({ status: "failed", errorCode: "FORCE_FAILED" });
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "upload.force_fail", outcome: "ok" } });
    expect(audit).toMatchObject({ actorEmail: "oncall@example.com", incidentId: "INC-42", targetId: id });
    const last = await prisma().uploadEvent.findFirstOrThrow({ where: { uploadId: id }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ fromStatus: "processing", toStatus: "failed", actor: "oncall@example.com", incidentId: "INC-42" });
  });

  it("is a compare-and-set from the status the operator saw", async () => {
    const id = await uploadFixture();
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    await expect(forceFailUpload(pool(), oncall, { uploadId: id, expectedStatus: "pending", reason: "r", incidentId: "INC-1" })).rejects.toMatchObject({
      status: 409,
    });
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("staged");
  });

  it("is refused without an incident ID, and the refusal is audited", async () => {
    const id = await uploadFixture();
    await expect(forceFailUpload(pool(), oncall, { uploadId: id, expectedStatus: "pending", reason: "r", incidentId: "" })).rejects.toMatchObject({
      code: "INCIDENT_ID_REQUIRED",
    });
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
    expect(await prisma().auditLog.count({ where: { action: "upload.force_fail", outcome: "refused" } })).toBe(1);
  });
});

describe("controls", () => {
  it("a control change without an incident ID is refused and recorded", async () => {
    const before = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    await expect(setMode(pool(), sre, { mode: "halted", reason: "because", incidentId: "  ", expectedVersion: before.version })).rejects.toMatchObject({
      status: 400,
      code: "INCIDENT_ID_REQUIRED",
    });
    expect(await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).toEqual(before);
    const refused = await prisma().auditLog.findFirstOrThrow({ where: { outcome: "refused" } });
    expect(refused).toMatchObject({ action: "controls.halt", actorEmail: "sre@example.com" });
  });

  it("a stale change (someone else changed it since) is refused with who did", async () => {
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    await setMode(pool(), sre, { mode: "draining", reason: "first", incidentId: "INC-1", expectedVersion: version });
    await expect(setMode(pool(), sre2, { mode: "halted", reason: "second", incidentId: "INC-1", expectedVersion: version })).rejects.toThrow(/sre@example.com/);
    expect((await readControls(pool())).mode.value.mode).toBe("draining");
  });

  it("on-call may halt only while declaring a P1", async () => {
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    await expect(setMode(pool(), oncall, { mode: "halted", reason: "r", incidentId: "INC-1", expectedVersion: version })).rejects.toMatchObject({
      status: 403,
    });
    await setMode(pool(), oncall, { mode: "halted", reason: "r", incidentId: "INC-1", severity: "P1", expectedVersion: version });
    expect((await readControls(pool())).mode.value.mode).toBe("halted");
  });

  it("a suspended user's kill-switch privileges are refused", async () => {
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    const suspended = { ...sre, killSwitchSuspended: true };
    await expect(setMode(pool(), suspended, { mode: "halted", reason: "r", incidentId: "INC-1", expectedVersion: version })).rejects.toMatchObject({
      status: 403,
    });
  });

  it("an expired pause lifts itself, recorded as done by the system", async () => {
    const acme = await prisma().workspace.findUniqueOrThrow({ where: { slug: "acme" } });
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    await setMode(pool(), sre, {
      mode: "draining",
      reason: "maintenance",
      incidentId: "CHG-7",
      expiresAt: new Date(Date.now() + 300),
      expectedVersion: version,
    });
    await setWorkspacePause(pool(), sre, { workspaceId: acme.id, paused: true, reason: "client", incidentId: "CHG-7", expiresAt: new Date(Date.now() + 300) });
    expect((await readControls(pool())).mode.value.mode).toBe("draining");
    await new Promise((r) => setTimeout(r, 400));
    // Already in effect for readers before anything is written…
    expect((await readControls(pool())).mode.value.mode).toBe("running");
    // …and made permanent, with an audit row, by the expiry sweep.
    expect(await liftExpiredControls(pool())).toBe(2);
    expect((await prisma().workspace.findUniqueOrThrow({ where: { id: acme.id } })).paused).toBe(false);
    expect(await prisma().auditLog.count({ where: { action: "controls.auto_resume", actorEmail: "system" } })).toBe(2);
  });
});

describe("staging cleanup", () => {
  it("needs a second person: self-approval is refused, another SRE lead's approval deletes in batches", async () => {
    const id = await uploadFixture("tiktok.csv", "tiktok");
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    await runPromoteWorker(pool());
    const partial = await prisma().upload.findUniqueOrThrow({ where: { id } });
    expect(partial.status).toBe("partial");
    const request = await requestCleanup(pool(), sre, { uploadIds: [id], reason: "client re-sent the file", incidentId: "INC-5" });
    expect(request.preview.rows).toBe(partial.stagedRows);
    await expect(approveCleanup(pool(), sre, { requestId: request.id, reason: "ok", incidentId: "INC-5" })).rejects.toMatchObject({ code: "SELF_APPROVAL" });
    expect(await countStagingRows(id)).toBe(partial.stagedRows);
    const done = await approveCleanup(pool(), sre2, { requestId: request.id, reason: "ok", incidentId: "INC-5" }, 1);
    expect(done.deletedRows).toBe(partial.stagedRows);
    expect(await countStagingRows(id)).toBe(0);
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).stagedRows).toBe(0);
  });

  it("refuses a cleanup of an in-flight upload", async () => {
    const id = await uploadFixture();
    await expect(requestCleanup(pool(), sre, { uploadIds: [id], reason: "r", incidentId: "INC-1" })).rejects.toMatchObject({ code: "UPLOAD_IN_FLIGHT" });
  });
});
