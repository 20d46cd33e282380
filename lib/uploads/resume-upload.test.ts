import { beforeEach, describe, expect, it } from "vitest";
import { acknowledgePartial } from "@/lib/alerts/partials";
import { claimUpload } from "@/lib/ingestion/claim-upload";
import { parseUpload, runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import { fileStore } from "@/lib/storage";
import { expectedCounts, type GenerateOptions } from "@/lib/testing/generate-file";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, fixture, generated, postUpload, startApi } from "@/lib/testing/pipeline";
import { bulkAcknowledgePartials } from "@/lib/alerts/bulk-acknowledge";
import { bulkForceFail, bulkResume, previewBulkAction } from "./bulk-actions";
import { resumeUpload } from "./resume-upload";

const oncall = { id: "00000000-0000-0000-0000-00000000000a", email: "oncall@example.com", roles: ["oncall" as const] };
const support = { id: "00000000-0000-0000-0000-00000000000d", email: "support@example.com", roles: ["support_lead" as const] };
const FILE: GenerateOptions = { platform: "meta", rows: 6000, invalidEvery: 97 };
const TODAY = "2030-01-01";

async function upload(file: Buffer, platform = "meta") {
  const api = await startApi();
  try {
    const created = await postUpload(api.url, await apiKeyFor("acme"), file, { workspace_id: "acme", platform });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  } finally {
    await api.close();
  }
}

const row = async (id: string) =>
  (
    await pool().query(
      `SELECT status::text AS status, locked_by, lease_expires_at, parsed_records, total_rows, valid_rows, invalid_rows, ignored_rows FROM uploads WHERE id = $1`,
      [id],
    )
  ).rows[0];

/** A worker that committed some batches and then died holding its lease for another hour. */
async function stuckMidParse(): Promise<{ id: string; checkpoint: number }> {
  const id = await upload(await generated(FILE));
  const claimed = await claimUpload(pool(), { worker: "parse", workerId: "dead-worker", ready: "pending", inFlight: "processing" });
  expect(claimed?.id).toBe(id);
  // budgetMs 0: the worker stops after its first batches, as if killed there…
  const outcome = await parseUpload(pool(), fileStore(), claimed!, "dead-worker", { batchSize: 1000, budgetMs: 0, today: TODAY });
  expect(outcome.result).toBe("yielded");
  // …with its lease still held, as a SIGKILLed process leaves it.
  await pool().query(`UPDATE uploads SET locked_by = 'dead-worker', lease_expires_at = now() + interval '1 hour' WHERE id = $1`, [id]);
  const r = await row(id);
  expect(r.status).toBe("processing");
  expect(r.parsed_records).toBeGreaterThan(0);
  expect(r.parsed_records).toBeLessThan(expectedCounts(FILE).totalRows);
  return { id, checkpoint: r.parsed_records };
}

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
});

describe("resume (D10-10)", () => {
  it("releases the dead worker's lease; the next worker resumes from the checkpoint and the ledger is exact", async () => {
    const { id, checkpoint } = await stuckMidParse();
    // While the dead worker holds the lease, nobody takes the upload.
    expect((await runParseWorker(pool(), fileStore(), { today: TODAY })).uploads).toEqual([]);

    const done = await resumeUpload(pool(), oncall, {
      uploadId: id,
      expectedStatus: "processing",
      expectedLockedBy: "dead-worker",
      reason: "worker pod gone",
      incidentId: "INC-77",
    });
    expect(done).toMatchObject({ status: "processing", releasedFrom: "dead-worker", resumesFromRecord: checkpoint });
    // Resume never moves the state: the upload waits, unleased, in processing.
    expect(await row(id)).toMatchObject({ status: "processing", locked_by: null, lease_expires_at: null });

    const next = await runParseWorker(pool(), fileStore(), { today: TODAY, batchSize: 1000 });
    expect(next.uploads).toEqual([expect.objectContaining({ uploadId: id, result: "staged" })]);
    await runPromoteWorker(pool());
    const want = expectedCounts(FILE);
    expect(await row(id)).toMatchObject({
      status: "partial",
      total_rows: want.totalRows,
      valid_rows: want.validRows,
      invalid_rows: want.invalidRows,
      ignored_rows: want.ignoredRows,
    });
    const lines = await pool().query(`SELECT count(*)::int AS n, count(DISTINCT line_no)::int AS d FROM staging_rows WHERE upload_id = $1`, [id]);
    expect(lines.rows[0]).toEqual({ n: want.validRows, d: want.validRows });

    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "upload.resume", outcome: "ok" } });
    expect(audit).toMatchObject({ actorEmail: "oncall@example.com", incidentId: "INC-77", reason: "worker pod gone", targetId: id });
    expect(audit.before).toMatchObject({ status: "processing", lockedBy: "dead-worker" });
    const event = await prisma().uploadEvent.findFirstOrThrow({ where: { uploadId: id, actor: "oncall@example.com" } });
    expect(event).toMatchObject({ fromStatus: "processing", toStatus: "processing", incidentId: "INC-77" });
    expect(event.reason).toMatch(/^Resume: released the lease of dead-worker — worker pod gone$/);
  });

  it("is a compare-and-set on the lease holder: another holder since the page loaded is reported, not released", async () => {
    const { id } = await stuckMidParse();
    await pool().query(`UPDATE uploads SET locked_by = 'new-worker' WHERE id = $1`, [id]);
    await expect(
      resumeUpload(pool(), oncall, { uploadId: id, expectedStatus: "processing", expectedLockedBy: "dead-worker", reason: "r", incidentId: "INC-1" }),
    ).rejects.toMatchObject({ status: 409, code: "STALE_LEASE" });
    expect((await row(id)).locked_by).toBe("new-worker");
    await expect(
      resumeUpload(pool(), oncall, { uploadId: id, expectedStatus: "pending", expectedLockedBy: "new-worker", reason: "r", incidentId: "INC-1" }),
    ).rejects.toMatchObject({ status: 409, code: "STALE_STATUS" });
    expect(await prisma().auditLog.count({ where: { action: "upload.resume", outcome: "ok" } })).toBe(0);
  });

  it("refuses an upload with no lease, a finished one, and one without an incident ID (audited)", async () => {
    const id = await upload(fixture("meta.csv"));
    await expect(
      resumeUpload(pool(), oncall, { uploadId: id, expectedStatus: "pending", expectedLockedBy: null, reason: "r", incidentId: "INC-1" }),
    ).rejects.toMatchObject({
      code: "NO_LEASE",
    });
    await expect(
      resumeUpload(pool(), oncall, { uploadId: id, expectedStatus: "completed", expectedLockedBy: null, reason: "r", incidentId: "INC-1" }),
    ).rejects.toMatchObject({
      code: "ALREADY_TERMINAL",
    });
    await expect(
      resumeUpload(pool(), oncall, { uploadId: id, expectedStatus: "pending", expectedLockedBy: null, reason: "r", incidentId: "" }),
    ).rejects.toMatchObject({
      code: "INCIDENT_ID_REQUIRED",
    });
    expect(await prisma().auditLog.count({ where: { action: "upload.resume", outcome: "refused" } })).toBe(1);
  });
});

describe("bulk actions", () => {
  it("previews per upload, then force-fails each with its own compare-and-set and audit entry; one changed meanwhile is reported", async () => {
    const a = await stuckMidParse();
    const b = await upload(fixture("meta.csv"));
    const c = await upload(fixture("google.csv"), "google");
    await pool().query(`UPDATE uploads SET status = 'completed' WHERE id = $1`, [c]);

    const preview = await previewBulkAction(pool(), { action: "force_fail", filter: { workspace: "acme" } });
    expect(preview.items.map((i) => [i.id, i.will])).toEqual([
      [a.id, "apply"],
      [b, "apply"],
      [c, "skip"],
    ]);
    expect(preview.items[2].effect).toMatch(/Already completed/);
    expect(preview.items[0].effect).toMatch(/Fails it from processing/);

    // b moves on before the operator confirms.
    await runParseWorker(pool(), fileStore(), { today: TODAY });
    expect((await row(b)).status).toBe("staged");
    const applied = await bulkForceFail(pool(), oncall, {
      reason: "bad export from the client",
      incidentId: "INC-90",
      items: preview.items.filter((i) => i.will === "apply").map((i) => i.expected),
    });
    expect(applied.results.map((r) => [r.id, r.outcome])).toEqual([
      [a.id, "done"],
      [b, "changed"],
    ]);
    expect(applied.results[1].message).toMatch(/now staged/);
    expect((await row(a.id)).status).toBe("failed");
    expect((await row(b)).status).toBe("staged");
    const audit = await prisma().auditLog.findMany({ where: { action: "upload.force_fail", outcome: "ok", incidentId: "INC-90" } });
    expect(audit.map((e) => e.targetId)).toEqual([a.id]);
  });

  it("resume preview says what each upload will do; an upload without a lease is skipped", async () => {
    const a = await stuckMidParse();
    const b = await upload(fixture("meta.csv"));
    const preview = await previewBulkAction(pool(), { action: "resume", ids: [a.id, b] });
    const byId = Object.fromEntries(preview.items.map((i) => [i.id, i]));
    expect(byId[a.id]).toMatchObject({ will: "apply", lockedBy: "dead-worker" });
    expect(byId[a.id].effect).toContain(`resumes from record ${a.checkpoint.toLocaleString("en-US")}`);
    expect(byId[b]).toMatchObject({ will: "skip" });
    const applied = await bulkResume(pool(), oncall, { reason: "workers restarted", incidentId: "INC-91", items: [byId[a.id].expected] });
    expect(applied.results).toEqual([expect.objectContaining({ id: a.id, outcome: "done" })]);
    expect((await row(a.id)).locked_by).toBeNull();
    await expect(bulkResume(pool(), oncall, { reason: "", incidentId: "INC-91", items: [byId[a.id].expected] })).rejects.toMatchObject({
      code: "REASON_REQUIRED",
    });
  });

  it("acknowledges partial alerts in bulk through the Support Lead's acknowledgement; an already acknowledged one is reported", async () => {
    const p1 = await upload(fixture("tiktok.csv"), "tiktok");
    await runParseWorker(pool(), fileStore(), { today: TODAY });
    await runPromoteWorker(pool());
    expect((await row(p1)).status).toBe("partial");
    const preview = await previewBulkAction(pool(), { action: "acknowledge_partial", filter: { status: "partial" } });
    expect(preview.items).toEqual([expect.objectContaining({ id: p1, will: "apply" })]);
    await acknowledgePartial(pool(), support, p1, { note: "first" });
    const applied = await bulkAcknowledgePartials(pool(), support, { note: "TICKET-12 client told", items: preview.items.map((i) => i.expected) });
    expect(applied.results).toEqual([expect.objectContaining({ id: p1, outcome: "changed" })]);
    expect((await previewBulkAction(pool(), { action: "acknowledge_partial", ids: [p1] })).items[0]).toMatchObject({ will: "skip" });
  });
});
