import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetBreakers } from "@/lib/breakers/registry";
import { fileStore } from "@/lib/storage";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, drainPipeline, postUpload, startApi } from "@/lib/testing/pipeline";
import { runMonitor } from "@/lib/workers/run-monitor";
import { acknowledgePartial, listPartialUploads } from "@/lib/alerts/partials";

const support = { id: "00000000-0000-0000-0000-0000000000b2", email: "support@example.com", roles: ["support_lead" as const] };

/**
 * A Meta export whose answer is known: "Spring Sale" (111) and "Video" (444) load in full; "Brand" (222)
 * loses 2 of its 3 rows (a negative spend on 03-02, more clicks than impressions on 03-03);
 * "Retargeting" (333) loses both of its rows (impressions "lots" on 03-01, the date 2024-02-30).
 */
const FILE = [
  "Campaign report March 2024",
  "Campaign name,Day,Campaign ID,Amount spent (USD),Impressions,Link clicks,Results",
  "Spring Sale,2024-03-01,111,10.00,1000,10,1",
  "Spring Sale,2024-03-02,111,11.00,1000,10,1",
  "Brand,2024-03-01,222,5.00,500,5,0",
  "Brand,2024-03-02,222,-5.00,500,5,0",
  "Brand,2024-03-03,222,5.00,50,500,0",
  "Retargeting,2024-03-01,333,3.00,lots,3,0",
  "Retargeting,2024-02-30,333,3.00,300,3,0",
  "Video,2024-03-01,444,1.00,100,1,0",
].join("\n");

let api: Awaited<ReturnType<typeof startApi>>;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
  await createWorkspace("acme");
});

async function partialUpload() {
  const created = await postUpload(api.url, await apiKeyFor("acme"), Buffer.from(FILE), { workspace_id: "acme", platform: "meta" }, "march.csv");
  expect(created.status).toBe(201);
  await drainPipeline();
  const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
  expect(upload).toMatchObject({ status: "partial", validRows: 4, invalidRows: 4, promotedRows: 4 });
  return upload;
}

describe("the campaigns a partial promotion did not load (D10-02)", () => {
  it("lists exactly the campaigns with lost rows, per rule with sample lines and the dates affected", async () => {
    const upload = await partialUpload();
    const [partial] = await listPartialUploads(pool(), { review: "pending" });
    expect(partial.uploadId).toBe(upload.id);

    expect(partial.notFullyPromoted.map((c) => [c.campaignId, c.campaignName, c.rowsLoaded, c.rowsLost])).toEqual([
      ["222", "Brand", 1, 2],
      ["333", "Retargeting", 0, 2],
    ]);
    const [brand, retargeting] = partial.notFullyPromoted;
    expect(brand.byRule.map((r) => [r.rule, r.rows, r.samples.map((s) => s.lineNo)])).toEqual([
      ["clicks_exceed_impressions", 1, [7]],
      ["spend_negative", 1, [6]],
    ]);
    expect(brand.byRule[1].samples[0].raw).toBe("Brand,2024-03-02,222,-5.00,500,5,0");
    expect(brand).toMatchObject({ dates: ["2024-03-02", "2024-03-03"], unreadableDates: 0 });
    expect(retargeting.byRule.map((r) => [r.rule, r.rows, r.samples.map((s) => s.lineNo)])).toEqual([
      ["date_invalid", 1, [9]],
      ["impressions_invalid", 1, [8]],
    ]);
    expect(retargeting).toMatchObject({ dates: ["2024-03-01"], unreadableDates: 1 });
    expect(partial.lostDates).toEqual(["2024-03-01", "2024-03-02", "2024-03-03"]);
    expect(partial).toMatchObject({ unattributedRows: 0, campaignsProblem: null });

    // The client-ready summary says what is missing and why, and names no fully loaded campaign.
    expect(partial.summary).toContain("Loaded: 4 of 8 data rows, covering 3 campaigns from 2024-03-01 to 2024-03-02.");
    expect(partial.summary).toContain("Not loaded: 4 rows in 2 campaigns, which are therefore incomplete:");
    expect(partial.summary).toContain("Brand (222): 2 of 3 rows missing, dates 2024-03-02, 2024-03-03");
    expect(partial.summary).toContain("Retargeting (333): 2 of 2 rows missing, date 2024-03-01; 1 row with an unreadable date");
    expect(partial.summary).toMatch(/1 × spend negative — e\.g\. line 6/);
    expect(partial.summary).not.toContain("Spring Sale");
    expect(partial.summary).not.toContain("Video");
  });

  it("says so when the campaigns cannot be read (the stored file is gone), and still counts every lost row", async () => {
    const upload = await partialUpload();
    await fileStore().delete(upload.storageKey);
    const [partial] = await listPartialUploads(pool(), { review: "pending" });
    expect(partial.campaignsProblem).toMatch(/could not be read/);
    expect(partial.notFullyPromoted).toHaveLength(1);
    expect(partial.notFullyPromoted[0]).toMatchObject({ campaignId: null, rowsLost: 4 });
    expect(partial.summary).toContain("rows whose campaign cannot be read: 4 rows missing");
  });

  it("acknowledging takes a note and a ticket, both kept and shown on the review and the alert's log", async () => {
    const upload = await partialUpload();
    await runMonitor(pool(), { webhookUrl: null });
    // The alert itself names the campaigns not fully loaded, not the ones that were.
    const alert = await prisma().alert.findFirstOrThrow({ where: { fingerprint: `partial:${upload.id}` } });
    expect(alert.detail).toContain(
      "Campaigns not fully loaded: Brand (222) −2 [clicks_exceed_impressions, spend_negative] 2024-03-02…2024-03-03; Retargeting (333) −2 [date_invalid, impressions_invalid] on 2024-03-01.",
    );
    expect(alert.detail).not.toMatch(/Spring Sale|Video/);
    await runMonitor(pool(), { webhookUrl: null });
    expect((await prisma().alert.findFirstOrThrow({ where: { fingerprint: `partial:${upload.id}` } })).detail).toBe(alert.detail);
    await expect(acknowledgePartial(pool(), support, upload.id, { note: "   " })).rejects.toMatchObject({ status: 400, code: "NOTE_REQUIRED" });
    await acknowledgePartial(pool(), support, upload.id, { note: "Client told Brand and Retargeting are incomplete.", ticket: "SUP-123" });
    const [reviewed] = await listPartialUploads(pool(), { review: "reviewed" });
    expect(reviewed.review).toMatchObject({
      acknowledgedBy: "support@example.com",
      ticket: "SUP-123",
      note: "Client told Brand and Retargeting are incomplete.",
    });
    expect(reviewed.notes.map((n) => n.body)).toEqual(["Partial acknowledged — ticket SUP-123: Client told Brand and Retargeting are incomplete."]);
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "partial.acknowledge" } });
    expect(audit.after).toMatchObject({ ticket: "SUP-123" });
  });
});
