import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, countStagingRows, pool, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, generated, postUpload, serveApiForTests } from "@/lib/testing/pipeline";
import { expectedCounts } from "@/lib/testing/generate-file";
import { fileStore } from "@/lib/storage";
import { claimUpload } from "@/lib/ingestion/claim-upload";
import { runCleanupWorker } from "@/lib/ingestion/cleanup-staging";
import { parseUpload } from "@/lib/ingestion/parse-next-upload";
import { DELETE_STAGING_BATCH_SQL, STAGING_PLANS, stagingDay, stagingPartitions, summarizeStaging } from "./staging-rows";

/**
 * The staging layout's properties (docs/architecture.md, "Staging layout"), asserted on what
 * PostgreSQL reads (EXPLAIN (ANALYZE, BUFFERS)) and stores, never on time.
 */

type Plan = { "Node Type": string; "Relation Name"?: string; "Shared Hit Blocks": number; "Shared Read Blocks": number; Plans?: Plan[] };
const nodes = (plan: Plan): Plan[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * Blocks a statement touched (its plan's root counts its children's), and the staging partitions it
 * read whole (an empty one, such as tomorrow's, costs nothing to read whole and is not counted).
 */
async function cost(sql: string, params: unknown[]): Promise<{ blocks: number; seqScanned: string[] }> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    await client.query(STAGING_PLANS); // as the workers run them
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
    await client.query("ROLLBACK");
    const plan = (rows[0]["QUERY PLAN"] as { Plan: Plan }[])[0].Plan;
    const seqScanned = nodes(plan)
      .filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"]?.startsWith("staging_rows_p") && n["Shared Hit Blocks"] + n["Shared Read Blocks"] > 0)
      .map((n) => n["Relation Name"]!);
    return { blocks: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"], seqScanned };
  } finally {
    client.release();
  }
}

/** Uploads that arrived today holding `perUpload` contiguous staging rows each, written set-based as the parser would. */
async function stageBacklog(workspaceId: string, uploads: number, perUpload: number, offset = 0): Promise<string[]> {
  const { rows } = await pool().query<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, valid_rows, staged_rows, completed_at)
     SELECT gen_random_uuid(), $1, 'meta', 'api', 'b' || g || '.csv', 1, 'backlog-' || g, 'k', 'completed', $3, $3, now()
       FROM generate_series($4::int + 1, $4::int + $2::int) g RETURNING id`,
    [workspaceId, uploads, perUpload, offset],
  );
  const ids = rows.map((r) => r.id);
  await pool().query(`SELECT staging_partition_ensure(staging_day(now()))`);
  await pool().query(
    `INSERT INTO staging_rows (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
     SELECT u.id, staging_day(now()), n, date '2024-01-01' + n % 365, 'c' || n % 977, 'Campaign ' || n % 977, n % 997, n, n % 100, 0, 'USD'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, k) CROSS JOIN generate_series(2, $2::int + 1) n ORDER BY u.k, n`,
    [ids, perUpload],
  );
  return ids;
}

describe("staging layout", () => {
  const api = serveApiForTests();
  let key: string;
  let workspaceId: string;

  beforeEach(async () => {
    await resetDatabase();
    workspaceId = (await createWorkspace("acme")).id;
    key = await apiKeyFor("acme");
  });

  it("a resumed parse never duplicates a line: a worker that lost its claim commits nothing more", async () => {
    const options = { platform: "meta" as const, rows: 5_000, seed: 7, invalidEvery: 97, campaigns: 50 };
    const created = await postUpload(api.url, key, await generated(options));
    const want = expectedCounts(options);
    // Worker A stages the first batch and gives the upload back, then B claims it and resumes.
    const a = (await claimUpload(pool(), { worker: "parse", workerId: "a", ready: "pending", inFlight: "processing" }))!;
    expect((await parseUpload(pool(), fileStore(), a, "a", { batchSize: 1_000, budgetMs: -1, today: "2030-01-01" })).result).toBe("yielded");
    const b = (await claimUpload(pool(), { worker: "parse", workerId: "b", ready: "pending", inFlight: "processing" }))!;
    expect(b.parsed_records).toBe(1_000);
    // A, still holding its stale view (checkpoint 0), tries again while B works: all its batches are refused.
    const [zombie, resumed] = await Promise.all([
      parseUpload(pool(), fileStore(), a, "a", { batchSize: 1_000, today: "2030-01-01" }),
      parseUpload(pool(), fileStore(), b, "b", { batchSize: 1_000, today: "2030-01-01" }),
    ]);
    expect(zombie.result).toBe("lost_lease");
    expect(resumed.result).toBe("staged");
    const { rows } = await pool().query(
      `SELECT count(*)::int AS rows, count(DISTINCT line_no)::int AS lines, (SELECT valid_rows FROM uploads WHERE id = $1) AS valid
         FROM staging_rows WHERE upload_id = $1`,
      [created.body.id],
    );
    expect(rows[0]).toEqual({ rows: want.validRows, lines: want.validRows, valid: want.validRows });
    // The worker left every page range it wrote summarized: nothing is left for a read of another upload to scan.
    const { rows: left } = await pool().query(
      `SELECT sum(brin_summarize_new_values(i.inhrelid))::int AS ranges FROM pg_inherits i WHERE i.inhparent = 'staging_rows_upload_id_idx'::regclass`,
    );
    expect(left[0].ranges).toBe(0);
  });

  it("each partition defaults arrived_on to its own day, so the parser's COPY leaves the column out", async () => {
    await pool().query(`SELECT staging_partition_ensure('2031-05-06')`);
    const { rows } = await pool().query(
      `INSERT INTO staging_rows_p20310506 (upload_id, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
       VALUES (gen_random_uuid(), 2, '2031-05-05', 'c', 'C', 1, 1, 1, 0, 'USD') RETURNING to_char(arrived_on, 'YYYY-MM-DD') AS day`,
    );
    expect(rows[0].day).toBe("2031-05-06");
    await expect(
      pool().query(
        `INSERT INTO staging_rows_p20310506 (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
         VALUES (gen_random_uuid(), '2031-05-07', 2, '2031-05-05', 'c', 'C', 1, 1, 1, 0, 'USD')`,
      ),
    ).rejects.toThrow(/partition constraint/);
  });

  describe("cleanup", () => {
    /** An upload that arrived `daysAgo` days ago and finished then, holding `rows` staging rows. */
    async function finishedUpload(daysAgo: number, status: "completed" | "partial", rows: number) {
      const { rows: up } = await pool().query<{ id: string; day: string }>(
        `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, valid_rows, staged_rows, created_at, completed_at)
         VALUES (gen_random_uuid(), $1, 'meta', 'api', 'old.csv', 1, gen_random_uuid()::text, 'k', $2, $3, $3, now() - make_interval(days => $4), now() - make_interval(days => $4))
         RETURNING id, to_char(staging_day(created_at), 'YYYY-MM-DD') AS day`,
        [workspaceId, status, rows, daysAgo],
      );
      await pool().query(`SELECT staging_partition_ensure($1::date)`, [up[0].day]);
      await pool().query(
        `INSERT INTO staging_rows (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
         SELECT $1, $2::date, n, date '2024-01-01', 'c' || n, 'C', 1, 1, 1, 0, 'USD' FROM generate_series(2, $3::int + 1) n`,
        [up[0].id, up[0].day, rows],
      );
      return up[0];
    }
    const partitionDays = async () => (await stagingPartitions(pool())).map((p) => p.day);

    it("drops a finished day's partition whole (nothing left to vacuum), twice at once as safely as once, and keeps a day a partial upload still needs", async () => {
      const old = [await finishedUpload(3, "completed", 3_000), await finishedUpload(3, "completed", 2_000)];
      const kept = await finishedUpload(5, "partial", 500);
      const completedBesideIt = await finishedUpload(5, "completed", 700);
      expect(await partitionDays()).toEqual(expect.arrayContaining([old[0].day, kept.day]));

      // Two instances' cleanup workers at the same moment.
      const runs = await Promise.all([runCleanupWorker(pool(), { retentionHours: 24 }), runCleanupWorker(pool(), { retentionHours: 24 })]);
      const days = await partitionDays();
      expect(days).not.toContain(old[0].day);
      expect(await pool().query(`SELECT to_regclass($1) AS t`, [`staging_rows_p${old[0].day.replaceAll("-", "")}`])).toMatchObject({ rows: [{ t: null }] });
      expect(runs.flatMap((r) => r.partitions?.dropped ?? [])).toEqual([old[0].day]);
      expect(runs.reduce((n, r) => n + (r.partitions?.released ?? 0), 0)).toBe(5_000);
      const counters = await pool().query(`SELECT id, staged_rows FROM uploads WHERE id = ANY($1::uuid[]) ORDER BY staged_rows`, [
        [...old.map((u) => u.id), kept.id, completedBesideIt.id],
      ]);
      expect(Object.fromEntries(counters.rows.map((r) => [r.id, r.staged_rows]))).toEqual({
        [old[0].id]: 0,
        [old[1].id]: 0,
        [kept.id]: 500,
        [completedBesideIt.id]: 0,
      });

      // The partial upload's day stays (D10-02), with its rows; the completed upload beside it was deleted row by row.
      expect(days).toContain(kept.day);
      expect(await countStagingRows(kept.id)).toBe(500);
      expect(await countStagingRows(completedBesideIt.id)).toBe(0);
      // Today's and tomorrow's partitions are made ahead.
      const today = stagingDay(new Date());
      const tomorrow = stagingDay(new Date(Date.now() + 86_400_000));
      expect(days).toEqual(expect.arrayContaining([today, tomorrow]));
    });

    it("keeps a day's partition while an upload of that day is in flight or within the retention", async () => {
      const done = await finishedUpload(3, "completed", 100);
      await pool().query(
        `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, created_at)
         VALUES (gen_random_uuid(), $1, 'meta', 'api', 'stuck.csv', 1, 'stuck', 'k', 'processing', now() - interval '3 days')`,
        [workspaceId],
      );
      const week = 24 * 7;
      await runCleanupWorker(pool(), { retentionHours: week });
      expect(await partitionDays()).toContain(done.day); // an upload of that day is still being parsed
      await pool().query(`UPDATE uploads SET status = 'failed' WHERE sha256 = 'stuck'`);
      await runCleanupWorker(pool(), { retentionHours: week });
      expect(await partitionDays()).toContain(done.day); // completed 3 days ago, kept for a week
      expect(await countStagingRows(done.id)).toBe(100);
      await runCleanupWorker(pool(), { retentionHours: 24 });
      expect(await partitionDays()).not.toContain(done.day);
    });
  });
});

describe("staging layout, with a backlog of 1.2M rows of other uploads staged in the same partition", () => {
  // 1.2M rows (about 20 000 pages) rather than 5M keeps the suite fast and still proves the point:
  // what one upload costs is measured in blocks, against the blocks of the whole partition.
  let target: string;
  let targetPages: number;
  let partitionPages: number;
  beforeAll(async () => {
    await resetDatabase();
    const ws = await createWorkspace("backlog");
    await stageBacklog(ws.id, 60, 10_000);
    [target] = await stageBacklog(ws.id, 1, 2_000, 60);
    await stageBacklog(ws.id, 60, 10_000, 61);
    await summarizeStaging(pool());
    await pool().query(`ANALYZE staging_rows`);
    const pages = await pool().query<{ target: number; partition: number }>(
      `SELECT (SELECT count(DISTINCT (ctid::text::point)[0])::int FROM staging_rows WHERE upload_id = $1) AS target,
              (SELECT sum(relpages)::int FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid WHERE i.inhparent = 'staging_rows'::regclass) AS partition`,
      [target],
    );
    ({ target: targetPages, partition: partitionPages } = pages.rows[0]);
  }, 120_000);

  it("reads one upload's rows touching its own pages, not the backlog's (and answers the runbooks' queries by upload ID)", async () => {
    expect(partitionPages).toBeGreaterThan(15_000);
    // A BRIN range is 128 pages: at most one partial range on either side of the upload's pages.
    const { blocks, seqScanned } = await cost(`SELECT count(*) FROM staging_rows WHERE upload_id = $1 AND arrived_on = $2`, [target, stagingDay(new Date())]);
    expect(seqScanned).toEqual([]);
    expect(blocks).toBeLessThan(targetPages + 2 * 128 + 50);
    expect(await countStagingRows(target)).toBe(2_000);
  });

  it("deletes one upload's rows touching its own pages, not the backlog's", async () => {
    const { blocks, seqScanned } = await cost(DELETE_STAGING_BATCH_SQL, [target, ["completed"], 50_000]);
    expect(seqScanned).toEqual([]);
    // Finding the rows costs their pages; deleting each costs a few block visits (fetch, mark).
    expect(blocks).toBeLessThan(targetPages + 2 * 128 + 4 * 2_000 + 100);
    expect(blocks).toBeLessThan(partitionPages / 2);
  });
});
