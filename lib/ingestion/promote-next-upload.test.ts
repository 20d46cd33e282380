import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, generated, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { fileStore } from "@/lib/storage";
import { runParseWorker } from "./parse-next-upload";
import { runPromoteWorker } from "./promote-next-upload";

const api = serveApiForTests();
let key: string;

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
  key = await apiKeyFor("acme");
});

afterEach(async () => {
  await pool().query(`DROP TRIGGER IF EXISTS slow_metrics ON metrics; DROP FUNCTION IF EXISTS slow_metrics()`);
});

describe("the promotion's timestamps", () => {
  it("completed_at − promoting_at covers the promotion: completed is stamped when the rows are written, not when its transaction began", async () => {
    const csv = ["Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks", "2024-01-01,1,A,10,100,1", "2024-01-02,1,A,12,100,1"].join("\n");
    const created = await postUpload(api.url, key, Buffer.from(csv));
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    // Writing the metrics takes 400 ms, inside the promotion's transaction.
    await pool().query(`CREATE FUNCTION slow_metrics() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NULL; END $$;
      CREATE TRIGGER slow_metrics AFTER INSERT ON metrics FOR EACH STATEMENT EXECUTE FUNCTION slow_metrics()`);
    const { uploads } = await runPromoteWorker(pool());
    expect(uploads.map((u) => u.result)).toEqual(["completed"]);

    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload.completedAt!.getTime() - upload.promotingAt!.getTime()).toBeGreaterThanOrEqual(400);
    const events = await prisma().uploadEvent.findMany({ where: { uploadId: upload.id }, orderBy: { id: "asc" } });
    const at = (status: string) => events.find((e) => e.toStatus === status)!.createdAt;
    expect(at("promoting")).toEqual(upload.promotingAt);
    expect(at("completed")).toEqual(upload.completedAt);
    expect(at("staged")).toEqual(upload.stagedAt);
  });
});

describe("the D10-01 day totals", () => {
  const header = "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks";

  it("are the parser's sums of what it staged, exactly, duplicates moved out", async () => {
    const file = await generated({ platform: "meta", rows: 5_000, seed: 11, invalidEvery: 37, campaigns: 50 });
    const withDuplicate = Buffer.concat([file, Buffer.from(file.toString("utf8").split("\n").slice(1, 3).join("\n") + "\n")]);
    const created = await postUpload(api.url, key, withDuplicate);
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01", batchSize: 700 });
    const upload = await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(upload.status).toBe("staged");
    const issues = await prisma().rowIssue.count({ where: { uploadId: upload.id, rule: "duplicate_key" } });
    expect(issues).toBeGreaterThan(0);
    const { rows } = await pool().query(
      `SELECT to_char(date, 'YYYY-MM-DD') AS date, spend::text FROM upload_day_totals WHERE upload_id = $1
       EXCEPT SELECT to_char(date, 'YYYY-MM-DD'), sum(spend)::numeric(24, 6)::text FROM staging_rows WHERE upload_id = $1 GROUP BY date`,
      [upload.id],
    );
    expect(rows).toEqual([]);
    const days = await pool().query(`SELECT count(*)::int AS n FROM upload_day_totals WHERE upload_id = $1`, [upload.id]);
    const staged = await pool().query(`SELECT count(DISTINCT date)::int AS n FROM staging_rows WHERE upload_id = $1`, [upload.id]);
    expect(days.rows[0].n).toBe(staged.rows[0].n);
  });

  it("flag a jump into days production did not hold, against the day before the upload's span", async () => {
    await postUpload(api.url, key, Buffer.from([header, "2024-01-01,1,A,100.00,10,1", "2024-01-02,1,A,100.00,10,1", "2024-01-02,2,B,0.50,10,1"].join("\n")));
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    const first = await runPromoteWorker(pool());
    expect(first.uploads[0].deltas).toEqual([]);
    // A backfill of the next days: 01-03 jumps against 01-02 (in production), 01-04 against 01-03 (its own).
    await postUpload(api.url, key, Buffer.from([header, "2024-01-03,1,A,201.00,10,1", "2024-01-04,1,A,180.90,10,1", "2024-01-05,1,A,20.00,10,1"].join("\n")));
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    const { uploads } = await runPromoteWorker(pool());
    expect(uploads[0].deltas).toEqual([
      { date: "2024-01-03", previous: 100.5, current: 201, change: 1 },
      { date: "2024-01-05", previous: 180.9, current: 20, change: 20 / 180.9 - 1 },
    ]);
    // The day totals it saw are kept for the monitor: its span, and the day before from production.
    expect(await recorded(uploads[0].uploadId)).toEqual([
      { date: "2024-01-02", total: "100.500000", written: false },
      { date: "2024-01-03", total: "201.000000", written: true },
      { date: "2024-01-04", total: "180.900000", written: true },
      { date: "2024-01-05", total: "20.000000", written: true },
    ]);

    // A correction overlapping production: only the day it changed counts as written, with the day's whole total.
    await postUpload(api.url, key, Buffer.from([header, "2024-01-03,1,A,100.00,10,1", "2024-01-04,1,A,180.90,10,1"].join("\n")));
    await runParseWorker(pool(), fileStore(), { today: "2030-01-01" });
    const corrected = await runPromoteWorker(pool());
    expect(corrected.uploads[0].deltas).toEqual([]);
    expect(await recorded(corrected.uploads[0].uploadId)).toEqual([
      { date: "2024-01-02", total: "100.500000", written: false },
      { date: "2024-01-03", total: "100.000000", written: true },
      { date: "2024-01-04", total: "180.900000", written: false },
    ]);
  });
});

async function recorded(uploadId: string) {
  const { rows } = await pool().query(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, total::text, written FROM promotion_day_totals WHERE upload_id = $1 ORDER BY date`,
    [uploadId],
  );
  return rows;
}
