import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
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
