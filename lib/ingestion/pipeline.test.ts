import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { pool, prisma, resetDatabase, createWorkspace, countStagingRows } from "@/lib/testing/db";
import { apiKeyFor, drainPipeline, fixture, generated, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { expectedCounts } from "@/lib/testing/generate-file";
import { decodeStagedRows } from "./parse/copy-binary";
import { parseFile, type Platform } from "./parse/parse-file";
import { claimUpload } from "./claim-upload";
import { parseUpload, runParseWorker } from "./parse-next-upload";
import { runPromoteWorker } from "./promote-next-upload";
import { fileStore } from "@/lib/storage";
import expected from "@/lib/testing/fixtures/expected.json";

const api = serveApiForTests();
let key: string;

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  await createWorkspace("globex", { rowPolicy: "strict" });
  key = await apiKeyFor("acme");
});

async function issueCounts(uploadId: string) {
  const { rows } = await pool().query<{ kind: string; rule: string; n: string }>(
    `SELECT kind, rule, count(*) AS n FROM row_issues WHERE upload_id = $1 GROUP BY kind, rule`,
    [uploadId],
  );
  const by = (kind: string) => Object.fromEntries(rows.filter((r) => r.kind === kind).map((r) => [r.rule, Number(r.n)]));
  return { invalidByRule: by("invalid"), ignoredByReason: by("ignored") };
}

describe("a fixture per platform, end to end over HTTP", () => {
  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: every record counted exactly and promoted`, async () => {
      const created = await postUpload(api.url, key, fixture(file), { workspace_id: "acme", platform: want.platform, source: "manual" }, file);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: "pending", platform: want.platform, source: "manual", fileName: file });
      await drainPipeline();
      const response = await fetch(`${api.url}/api/v1/uploads/${created.body.id}`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      const upload = await response.json();
      expect(upload).toMatchObject({
        status: want.invalidRows > 0 ? "partial" : "completed",
        totalRows: want.totalRows,
        validRows: want.validRows,
        invalidRows: want.invalidRows,
        ignoredRows: want.ignoredRows,
        promotedRows: want.validRows,
        errorCode: null,
      });
      expect(upload.totalRows).toBe(upload.validRows + upload.invalidRows + upload.ignoredRows);
      expect(await issueCounts(upload.id)).toEqual({ invalidByRule: want.invalidByRule, ignoredByReason: want.ignoredByReason });
      const metrics = await pool().query(`SELECT count(*)::int AS n FROM metrics WHERE upload_id = $1`, [upload.id]);
      expect(metrics.rows[0].n).toBe(want.validRows);
      // Every staged value arrives intact through COPY: line breaks, tabs, backslashes, emoji in names.
      const staged = await pool().query(
        `SELECT line_no AS "lineNo", to_char(date, 'YYYY-MM-DD') AS date, campaign_id AS "campaignId", campaign_name AS "campaignName",
                trim_scale(spend)::text AS spend, impressions::text, clicks::text, trim_scale(conversions)::text AS conversions, currency
           FROM staging_rows WHERE upload_id = $1 ORDER BY line_no`,
        [upload.id],
      );
      const parsed = [];
      for await (const b of parseFile(Readable.from([fixture(file)]), {
        platform: want.platform as Platform,
        defaultCurrency: "USD",
        today: new Date().toISOString().slice(0, 10),
      }))
        parsed.push(...decodeStagedRows(b.staged));
      expect(staged.rows).toEqual(parsed);
      // The date span kept with the checkpoint is the staged rows' own.
      const dates = staged.rows.map((r) => r.date).sort();
      const span = await prisma().upload.findUniqueOrThrow({ where: { id: upload.id }, select: { firstDate: true, lastDate: true } });
      expect([span.firstDate?.toISOString().slice(0, 10), span.lastDate?.toISOString().slice(0, 10)]).toEqual([dates[0], dates.at(-1)]);
      const events = await pool().query(`SELECT from_status, to_status FROM upload_events WHERE upload_id = $1 ORDER BY id`, [upload.id]);
      expect(events.rows.map((e) => `${e.from_status ?? "∅"}→${e.to_status}`)).toEqual([
        "∅→pending",
        "pending→processing",
        "processing→staged",
        "staged→promoting",
        `promoting→${upload.status}`,
      ]);
    });
  }

  it("keeps a partial upload's staging rows and blocks its automatic re-run (D10-02)", async () => {
    const created = await postUpload(api.url, key, fixture("tiktok.csv"), { workspace_id: "acme", platform: "tiktok" });
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload.status).toBe("partial");
    expect(upload.rerunBlocked).toBe(true);
    expect(upload.stagedRows).toBe(expected["tiktok.csv"].validRows);
  });
});

describe("whole-file outcomes", () => {
  it("fails with MISSING_COLUMN naming the column and stages nothing", async () => {
    const csv = "Day,Campaign ID,Campaign name,Impressions,Link clicks\n2024-01-01,1,A,10,1\n";
    const created = await postUpload(api.url, key, Buffer.from(csv));
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload.status).toBe("failed");
    expect(upload.errorCode).toBe("MISSING_COLUMN");
    expect(upload.errorText).toMatch(/spend|Amount spent/i);
    expect(await countStagingRows(upload.id)).toBe(0);
  });

  it("fails with EMPTY_FILE when there are no data rows", async () => {
    const created = await postUpload(api.url, key, Buffer.from("Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks\n\nTotal,,,1,1,1\n"));
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({ status: "failed", errorCode: "EMPTY_FILE", totalRows: 2, ignoredRows: 2 });
  });

  it("marks later rows with the same (date, campaign_id) invalid as duplicate_key", async () => {
    const csv = [
      "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks",
      "2024-01-01,1,A,1.00,10,1",
      "2024-01-01,2,B,1.00,10,1",
      "2024-01-01,1,A again,2.00,20,2",
      "2024-01-02,1,A,1.00,10,1",
    ].join("\n");
    const created = await postUpload(api.url, key, Buffer.from(csv));
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({ status: "partial", totalRows: 4, validRows: 3, invalidRows: 1, promotedRows: 3 });
    const issue = await prisma().rowIssue.findFirstOrThrow({ where: { uploadId: upload.id } });
    expect(issue).toMatchObject({ lineNo: 4, rule: "duplicate_key" });
    expect(issue.message).toContain("line 2");
    const a = await prisma().metric.findFirstOrThrow({ where: { campaignId: "1", date: new Date("2024-01-01") } });
    expect(a.campaignName).toBe("A");
  });

  it("moves every later repeat of a key, also when a campaign ID is not ASCII (the search then reads all staged rows)", async () => {
    const header = "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks";
    const ascii = await postUpload(
      api.url,
      key,
      Buffer.from([header, "2024-01-01,7,A,1,1,1", "2024-01-02,7,A,1,1,1", "2024-01-01,7,B,1,1,1", "2024-01-01,7,C,1,1,1"].join("\n")),
    );
    const accented = await postUpload(
      api.url,
      key,
      Buffer.from([header, "2024-01-01,Café-7,A,1,1,1", "2024-01-01,8,B,1,1,1", "2024-01-01,Café-7,C,1,1,1"].join("\n")),
    );
    await drainPipeline();
    const lines = async (uploadId: string) =>
      (await prisma().rowIssue.findMany({ where: { uploadId }, orderBy: { lineNo: "asc" } })).map((i) => `${i.lineNo} ${i.rule} ${i.message}`);
    expect(await lines(ascii.body.id)).toEqual([
      "4 duplicate_key campaign 7 on 2024-01-01 already appears on line 2",
      "5 duplicate_key campaign 7 on 2024-01-01 already appears on line 2",
    ]);
    expect(await lines(accented.body.id)).toEqual(["4 duplicate_key campaign Café-7 on 2024-01-01 already appears on line 2"]);
    expect(await prisma().upload.findUniqueOrThrow({ where: { id: ascii.body.id } })).toMatchObject({
      status: "partial",
      validRows: 2,
      invalidRows: 2,
      promotedRows: 2,
    });
  });

  it("records the day-over-day spend change beyond ±30 % for the days an upload touched (D10-01)", async () => {
    const header = "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks";
    await postUpload(api.url, key, Buffer.from([header, "2024-01-01,1,A,100.00,10,1", "2024-01-02,1,A,100.00,10,1", "2024-01-03,1,A,100.00,10,1"].join("\n")));
    await drainPipeline();
    await postUpload(api.url, key, Buffer.from([header, "2024-01-02,1,A,125.00,10,1", "2024-01-03,1,A,250.00,10,1"].join("\n")));
    await runParseWorker(pool(), fileStore());
    const { uploads } = await runPromoteWorker(pool());
    // 01-02 moved +25 % against 01-01 (under the threshold); 01-03 moved +100 % against the new 01-02
    expect(uploads[0].deltas).toEqual([{ date: "2024-01-03", previous: 125, current: 250, change: 1 }]);
  });

  /** Parses the first batch of `batchSize` records of the pending upload, then yields (a later run resumes). */
  async function parseFirstBatch(batchSize: number) {
    const claimed = await claimUpload(pool(), { worker: "parse", workerId: "first", ready: "pending", inFlight: "processing" });
    const outcome = await parseUpload(pool(), fileStore(), claimed!, "first", { batchSize, budgetMs: -1 });
    expect(outcome.result).toBe("yielded");
  }

  it("finds a duplicate key whose first row was staged by an earlier run (the key filter only sees its own run)", async () => {
    const csv = [
      "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks",
      "2024-01-01,1,A,1.00,10,1",
      "2024-01-01,2,B,1.00,10,1",
      "2024-01-01,1,A again,2.00,20,2",
    ].join("\n");
    const created = await postUpload(api.url, key, Buffer.from(csv));
    await parseFirstBatch(1);
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({ status: "partial", totalRows: 3, validRows: 2, invalidRows: 1 });
    expect(await prisma().rowIssue.findFirstOrThrow({ where: { uploadId: upload.id } })).toMatchObject({ lineNo: 4, rule: "duplicate_key" });
  });

  it("fails with DATA_LOSS when a staged row disappears between batches, naming the mismatch", async () => {
    const created = await postUpload(api.url, key, await generated({ platform: "meta", rows: 50, seed: 5, invalidEvery: 0 }));
    await parseFirstBatch(20);
    await pool().query(`DELETE FROM staging_rows WHERE upload_id = $1 AND line_no = (SELECT min(line_no) FROM staging_rows WHERE upload_id = $1)`, [
      created.body.id,
    ]);
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({ status: "failed", errorCode: "DATA_LOSS", promotedRows: 0 });
    expect(upload.errorText).toMatch(/(\d+) rows staged but (\d+) counted valid/);
    const [, stored, counted] = upload.errorText!.match(/(\d+) rows staged but (\d+) counted valid/)!;
    expect(Number(stored)).toBe(Number(counted) - 1);
  });

  it("fails a strict workspace's upload with invalid rows and promotes nothing, counting every record", async () => {
    const globexKey = await apiKeyFor("globex");
    const created = await postUpload(api.url, globexKey, fixture("tiktok.csv"), { workspace_id: "globex", platform: "tiktok" });
    await drainPipeline();
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({ status: "failed", errorCode: "STRICT_POLICY", invalidRows: expected["tiktok.csv"].invalidRows, promotedRows: 0 });
    expect(upload.totalRows).toBe(upload.validRows + upload.invalidRows + upload.ignoredRows);
    expect(await prisma().metric.count()).toBe(0);
  });

  it("re-promoting identical data writes nothing; changed values are written with the new lineage", async () => {
    const first = await postUpload(api.url, key, fixture("meta.csv"));
    await drainPipeline();
    const before = await pool().query(`SELECT campaign_id, date, updated_at FROM metrics ORDER BY 1, 2`);
    // Same rows again under another file name and a trailing blank line (a different checksum).
    const second = await postUpload(api.url, key, Buffer.concat([fixture("meta.csv"), Buffer.from("\n")]), undefined, "again.csv");
    await drainPipeline();
    const after = await pool().query(`SELECT campaign_id, date, updated_at FROM metrics ORDER BY 1, 2`);
    expect(after.rows).toEqual(before.rows);
    expect(await prisma().metric.count({ where: { uploadId: second.body.id } })).toBe(0);
    expect(await prisma().metric.count({ where: { uploadId: first.body.id } })).toBe(expected["meta.csv"].validRows);
  });
});

describe("a generated file", () => {
  it("counts 20 000 records exactly, with every invalid rule", async () => {
    const options = { platform: "google" as const, rows: 20_000, invalidEvery: 97, seed: 7 };
    const created = await postUpload(api.url, key, await generated(options), { workspace_id: "acme", platform: "google" });
    await drainPipeline("2030-01-01");
    const want = expectedCounts(options);
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload).toMatchObject({
      totalRows: want.totalRows,
      validRows: want.validRows,
      invalidRows: want.invalidRows,
      ignoredRows: want.ignoredRows,
      promotedRows: want.validRows,
    });
    expect(await issueCounts(upload.id)).toEqual({ invalidByRule: want.invalidByRule, ignoredByReason: want.ignoredByReason });
  });
});
