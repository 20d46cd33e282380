import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setWorkerFreeze } from "@/lib/controls/change-control";
import { runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import { fileStore } from "@/lib/storage";
import { createWorkspace, pool, prisma, resetDatabase, countStagingRows } from "@/lib/testing/db";
import { apiKeyFor, fixture, postUpload, startApi } from "@/lib/testing/pipeline";
import { approveCleanup, requestCleanup } from "./cleanup-requests";

const sre = { id: "00000000-0000-0000-0000-0000000000f1", email: "sre@example.com", roles: ["sre_lead" as const] };
const sre2 = { id: "00000000-0000-0000-0000-0000000000f2", email: "sre2@example.com", roles: ["sre_lead" as const] };
const oncall = { id: "00000000-0000-0000-0000-0000000000f3", email: "oncall@example.com", roles: ["oncall" as const] };
const viewer = { id: "00000000-0000-0000-0000-0000000000f4", email: "viewer@example.com", roles: ["viewer" as const] };
const why = { reason: "client re-sent a corrected file", incidentId: "INC-5" };

/** A partial upload (tiktok.csv has an invalid row), whose staging rows are kept until a cleanup. */
async function partialUpload() {
  const api = await startApi();
  try {
    const created = await postUpload(api.url, await apiKeyFor("acme"), fixture("tiktok.csv"), { workspace_id: "acme", platform: "tiktok" });
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    await runPromoteWorker(pool());
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload.status).toBe("partial");
    expect(upload.stagedRows).toBeGreaterThan(1);
    return upload;
  } finally {
    await api.close();
  }
}

const stagingRows = countStagingRows;
const requestStatus = async (id: string) => (await prisma().cleanupRequest.findUniqueOrThrow({ where: { id } })).status;

beforeEach(async () => {
  await resetDatabase();
  await pool().query(`TRUNCATE cleanup_requests`);
  await createWorkspace("acme");
});

describe("cleanup approval and its delete are one transaction", () => {
  afterEach(async () => {
    await pool().query(
      `DROP TRIGGER IF EXISTS crash_mid_cleanup ON staging_rows; DROP FUNCTION IF EXISTS crash_mid_cleanup(); DROP SEQUENCE IF EXISTS crash_mid_cleanup_calls`,
    );
  });

  it("a crash after the first batch leaves the request awaiting approval with every row still there, and it can be approved again", async () => {
    const upload = await partialUpload();
    const request = await requestCleanup(pool(), sre, { uploadIds: [upload.id], ...why });
    // The second delete statement fails, as a process killed mid-cleanup would (a sequence is not rolled back).
    await pool().query(`
      CREATE SEQUENCE crash_mid_cleanup_calls;
      CREATE FUNCTION crash_mid_cleanup() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF nextval('crash_mid_cleanup_calls') > 1 THEN RAISE EXCEPTION 'simulated crash mid-cleanup'; END IF; RETURN NULL; END $$;
      CREATE TRIGGER crash_mid_cleanup BEFORE DELETE ON staging_rows FOR EACH STATEMENT EXECUTE FUNCTION crash_mid_cleanup();`);

    await expect(approveCleanup(pool(), sre2, { requestId: request.id, ...why }, 1)).rejects.toThrow(/simulated crash/);
    expect(await requestStatus(request.id)).toBe("requested");
    expect(await stagingRows(upload.id)).toBe(upload.stagedRows);
    expect((await prisma().upload.findUniqueOrThrow({ where: { id: upload.id } })).stagedRows).toBe(upload.stagedRows);
    expect(await prisma().auditLog.count({ where: { action: "cleanup.approve", outcome: "ok" } })).toBe(0);

    await pool().query(`DROP TRIGGER crash_mid_cleanup ON staging_rows`);
    const done = await approveCleanup(pool(), sre2, { requestId: request.id, ...why }, 1);
    expect(done).toMatchObject({ status: "done", deletedRows: upload.stagedRows });
    expect(await requestStatus(request.id)).toBe("done");
    expect(await stagingRows(upload.id)).toBe(0);
  });

  it("is refused while the cleanup worker is frozen, instead of recording a cleanup that deleted nothing", async () => {
    const upload = await partialUpload();
    const request = await requestCleanup(pool(), sre, { uploadIds: [upload.id], ...why });
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "freeze.cleanup" } });
    await setWorkerFreeze(pool(), sre, { worker: "cleanup", frozen: true, reason: "investigating", incidentId: "INC-5", expectedVersion: version });

    await expect(approveCleanup(pool(), sre2, { requestId: request.id, ...why })).rejects.toMatchObject({ status: 409, code: "CLEANUP_BLOCKED" });
    expect(await requestStatus(request.id)).toBe("requested");
    expect(await stagingRows(upload.id)).toBe(upload.stagedRows);
    expect(await prisma().auditLog.count({ where: { action: "cleanup.approve", outcome: "refused" } })).toBe(1);
  });
});

describe("cleanup authority in the domain, not only in the route", () => {
  it("refuses a request from a viewer and an approval from on-call, audited, and deletes nothing", async () => {
    const upload = await partialUpload();
    await expect(requestCleanup(pool(), viewer, { uploadIds: [upload.id], ...why })).rejects.toMatchObject({ status: 403 });
    const request = await requestCleanup(pool(), oncall, { uploadIds: [upload.id], ...why });
    await expect(approveCleanup(pool(), oncall, { requestId: request.id, ...why })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("requires"),
    });
    expect(await requestStatus(request.id)).toBe("requested");
    expect(await stagingRows(upload.id)).toBe(upload.stagedRows);
    expect((await prisma().auditLog.findMany({ where: { outcome: "refused" }, orderBy: { id: "asc" } })).map((a) => [a.action, a.actorEmail])).toEqual([
      ["cleanup.request", "viewer@example.com"],
      ["cleanup.approve", "oncall@example.com"],
    ]);
  });
});
