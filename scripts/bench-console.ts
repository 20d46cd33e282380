/**
 * npm run bench:console — the overview's data request and the first page of the uploads table, each
 * measured 30 times against console-scale data (seeded with seed:scale when the database has less).
 * Uses DATABASE_URL, or a fresh embedded database in a temporary folder.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withDatabase } from "./with-database";

const temp = process.env.DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "bench-console-"));
if (temp) {
  chmodSync(temp, 0o755);
  process.env.DATA_DIR = temp;
  process.env.EMBEDDED_PG_PORT = String(57000 + Math.floor(Math.random() * 1000));
}
process.env.LOG_LEVEL = "error";

withDatabase(async () => {
  const { pool } = await import("../lib/db/client");
  const { seedScale } = await import("../lib/testing/scale-seed");
  const { overview } = await import("../lib/console/overview");
  const { listUploads, parseUploadFilters } = await import("../lib/uploads/list-uploads");
  const db = pool();
  const have = await db.query<{ uploads: number; staging: string }>(
    `SELECT (SELECT count(*)::int FROM uploads) AS uploads, (SELECT coalesce(sum(staged_rows), 0) FROM uploads) AS staging`,
  );
  if (have.rows[0].uploads < 100_000 || Number(have.rows[0].staging) < 5_000_000) {
    const t = Date.now();
    console.log("seeding 100 000 uploads and 5 000 000 staging rows …");
    await seedScale(db, { uploads: 100_000, stagingRows: 5_000_000, metricsRows: 1_000_000 });
    console.log(`seeded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  const counts = await db.query(`SELECT (SELECT count(*)::int FROM uploads) AS uploads, (SELECT sum(staged_rows)::bigint FROM uploads) AS staging`);
  console.log(`data: ${counts.rows[0].uploads} uploads, ${counts.rows[0].staging} staging rows\n`);

  async function measure(label: string, fn: () => Promise<unknown>) {
    for (let i = 0; i < 3; i++) await fn(); // warm up caches and plans
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[15];
    console.log(
      `${label.padEnd(44)} median ${median.toFixed(1).padStart(6)} ms   p95 ${times[28].toFixed(1).padStart(6)} ms   ${median < 150 ? "meets" : "MISSES"} the 150 ms target`,
    );
  }
  await measure("overview data (GET /api/console/overview)", () => overview(db));
  await measure("uploads, first page (GET /api/console/uploads)", () => listUploads(db, parseUploadFilters({})));
  await measure("uploads, first page filtered status=failed", () => listUploads(db, parseUploadFilters({ status: "failed" })));
}).then(
  () => temp && rmSync(temp, { recursive: true, force: true }),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
