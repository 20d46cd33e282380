/**
 * npm run bench:ingest -- --rows 1000000 [--runs 3]
 *
 * Measures, against one PostgreSQL (DATABASE_URL, or an embedded one in a temporary folder):
 *   (a) raw COPY of the file into an unlogged, unindexed table of text columns — the absolute reference
 *   (a′) COPY of the same file into a logged, unindexed table of the staging table's column types — the
 *       parse ceiling at the durability staging keeps (D10-02: staged rows survive a crash)
 *   (b) our parse + validate + stage (the parse worker on the stored file), judged against (a′)
 *   (c) plain INSERT … SELECT of the staged rows into an empty production-shaped table — the promotion ceiling
 *   (d) our promotion (the promote worker)
 *   (c′) one INSERT … SELECT … ON CONFLICT DO UPDATE of an upload whose keys all exist with other values
 *       — the ceiling of promoting overlapping data
 *   (g) our promotion of that upload (every key exists in production with different values)
 *   (e) our promotion of an upload identical to what production holds (must write 0 rows), against (c′)
 *   (f) upload → completed through the real HTTP API and the workers
 * and prints each median, its ratio to its ceiling, rows/s, and the worker's peak RSS: for (f) the
 * server runs in its own process (this script with --serve: the upload route and the workers under
 * the in-process scheduler, as in production), and its peak RSS is the kernel's high-water mark (VmHWM).
 * With the embedded PostgreSQL it also prints the CPU time each step cost in Node and in PostgreSQL
 * (all its processes), which shows where the work goes on a machine whose timings are noisy.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" }, serve: { type: "boolean", default: false } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);

async function main() {
  let stopDb: (() => Promise<void>) | undefined;
  let postmasterPid = 0;
  const work = mkdtempSync(path.join(tmpdir(), "bench-ingest-"));
  chmodSync(work, 0o755); // the embedded server runs as the postgres user
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedPostgres } = await import("../lib/db/embedded");
    const db = await startEmbeddedPostgres({ dataDir: path.join(work, "pg"), port: 56000 + Math.floor(Math.random() * 1000), database: "bench" });
    process.env.DATABASE_URL = db.url;
    stopDb = db.stop;
    postmasterPid = Number(readFileSync(path.join(work, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
  }
  process.env.DATA_DIR = path.join(work, "data");
  process.env.LOG_LEVEL = "error";
  process.env.CRON_SECRET ??= "bench-cron-secret-0123456789";
  const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: process.env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(migrate.stderr);

  const { pool, prisma, closeDb } = await import("../lib/db/client");
  const { generateCsv } = await import("../lib/testing/generate-file");
  const { claimUpload } = await import("../lib/ingestion/claim-upload");
  const { parseUpload } = await import("../lib/ingestion/parse-next-upload");
  const { promoteUpload } = await import("../lib/ingestion/promote-next-upload");
  const { STAGING_PLANS, stagingDay, summarizeStaging } = await import("../lib/uploads/staging-rows");
  const { withTransaction } = await import("../lib/db/sql");
  const { fileStore } = await import("../lib/storage");
  const { createApiKey } = await import("../lib/auth/api-keys");
  const db = pool();
  // Every timed step starts right after a vacuum of metrics and a checkpoint, so that none pays for
  // the autovacuum of the rows the one before rewrote (after (g), a million dead metrics) or for its WAL
  // (CHECKPOINT needs a superuser or pg_checkpoint; skipped otherwise).
  const quiesce = async () => {
    await db.query("VACUUM (ANALYZE) metrics");
    await db.query("CHECKPOINT").catch(() => {});
  };
  // The ceilings read staging with the plans the workers use (STAGING_PLANS), so both read the same pages.
  const withStagingPlans = (sql: string, params: unknown[]) =>
    withTransaction(db, async (client) => {
      await client.query(STAGING_PLANS);
      return client.query(sql, params);
    });
  await db.query(`UPDATE ingestion_controls SET value = '{"phase":"P4","allowlist":[]}' WHERE key = 'rollout'`);

  // A clean Meta export (no invalid rows, so the raw COPY of the ceiling accepts every line).
  const file = path.join(work, "bench.csv");
  const gen = { platform: "meta" as const, rows: ROWS, seed: 1, campaigns: Math.max(50, Math.ceil(ROWS / 1500)) };
  await pipeline(generateCsv(gen), createWriteStream(file));
  const size = statSync(file).size;
  console.log(`file: ${ROWS.toLocaleString("en-US")} rows, ${(size / 1e6).toFixed(1)} MB (meta export, UTF-8 with BOM)\n`);
  // The server refuses files over UPLOAD_MAX_BYTES (200 MB by default): let this one through, as an
  // operator expecting files of this size would.
  process.env.UPLOAD_MAX_BYTES = String(Math.max(size + (1 << 20), Number(process.env.UPLOAD_MAX_BYTES ?? 0)));
  const header = await firstLine(file);
  const columns = header.replace(/^\uFEFF/, "").split(",").length;

  // Peak RSS of this process while it runs the parse worker in (b); the HTTP client of (f) is not counted.
  let sampling = false;
  let peakRss = 0;
  let workerPeak = 0;
  const fSteps: string[] = [];
  const sampler = setInterval(() => sampling && (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const results: Record<string, number[]> = { a: [], "a′": [], b: [], c: [], d: [], "c′": [], g: [], e: [], f: [] };
  // CPU seconds per step: in Node (this process, or the server process for (f)) and in PostgreSQL.
  const cpu: Record<string, { node: number[]; pg: number[] }> = {};
  let serverPid = 0;
  const nodeCpu = (step: string) => processCpuSeconds(step === "f" ? serverPid : process.pid);
  const pgCpu = () => postgresCpuSeconds(postmasterPid);
  /** Starts counting a step's CPU; the returned function stops and records it. */
  // WAL written and checkpoints begun during a step: a checkpoint that begins mid-step makes the next
  // change (or hint bit, with data checksums) to every page written before it log a full page image.
  const walState = async () =>
    (
      await db.query<{ lsn: string; checkpoints: string }>(
        `SELECT pg_current_wal_lsn()::text AS lsn, (SELECT num_timed + num_requested FROM pg_stat_checkpointer) AS checkpoints`,
      )
    ).rows[0];
  const wal: Record<string, { mb: number[]; checkpoints: number[] }> = {};
  const cpuOf = async (step: string) => {
    const node0 = nodeCpu(step);
    const pg0 = pgCpu();
    const wal0 = await walState();
    return async () => {
      (cpu[step] ??= { node: [], pg: [] }).node.push(nodeCpu(step) - node0);
      cpu[step].pg.push(pgCpu() - pg0);
      const wal1 = await walState();
      const bytes = await db.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2) AS bytes`, [wal1.lsn, wal0.lsn]);
      (wal[step] ??= { mb: [], checkpoints: [] }).mb.push(Number(bytes.rows[0].bytes) / 1e6);
      wal[step].checkpoints.push(Number(wal1.checkpoints) - Number(wal0.checkpoints));
    };
  };
  let rewritten = -1;

  for (let run = 1; run <= RUNS; run++) {
    // (a) the ceiling: COPY the raw file.
    await db.query(`DROP TABLE IF EXISTS bench_raw; CREATE UNLOGGED TABLE bench_raw (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(", ")})`);
    const client = await db.connect();
    const { from } = await import("pg-copy-streams");
    await quiesce();
    let counted = await cpuOf("a");
    let t = performance.now();
    await pipeline(createReadStream(file, { start: 3 }), client.query(from(`COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    results.a.push(performance.now() - t);
    await counted();
    await db.query(`DROP TABLE bench_raw`);

    // (a′) the parse ceiling at staging's durability: logged, no index, the staging column types.
    const typed: Record<string, string> = {
      "Reporting starts": "date",
      "Reporting ends": "date",
      Day: "date",
      "Amount spent (USD)": "numeric(20,6)",
      Impressions: "bigint",
      "Link clicks": "bigint",
      Results: "numeric(20,6)",
    };
    const names = header.replace(/^\uFEFF/, "").split(",");
    await db.query(`DROP TABLE IF EXISTS bench_typed; CREATE TABLE bench_typed (${names.map((n, i) => `c${i} ${typed[n] ?? "text"}`).join(", ")})`);
    await quiesce();
    counted = await cpuOf("a′");
    t = performance.now();
    await pipeline(createReadStream(file, { start: 3 }), client.query(from(`COPY bench_typed FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    results["a′"].push(performance.now() - t);
    await counted();
    client.release();
    await db.query(`DROP TABLE bench_typed`);

    // (b) our parse + validate + stage, on the stored file.
    const slug = `bench-${run}-${Date.now()}`;
    const ws = await prisma().workspace.create({ data: { slug, name: slug } });
    const key = `bench/${slug}.csv`;
    await fileStore().put(key, createReadStream(file));
    const up = await db.query(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key) VALUES (gen_random_uuid(), $1, 'meta', 'api', 'bench.csv', $2, $3, $4) RETURNING id`,
      [ws.id, size, `${slug}`, key],
    );
    const uploadId = up.rows[0].id as string;
    await quiesce();
    sampling = true;
    counted = await cpuOf("b");
    t = performance.now();
    const claimed = (await claimUpload(db, { worker: "parse", workerId: "bench", ready: "pending", inFlight: "processing" }))!;
    const parsed = await parseUpload(db, fileStore(), claimed, "bench", { today: "2099-01-01" });
    results.b.push(performance.now() - t);
    await counted();
    sampling = false;
    if (parsed.result !== "staged") throw new Error(`parse ended ${parsed.result} ${parsed.errorCode ?? ""}`);

    // (c) the promotion ceiling: plain INSERT … SELECT into an empty production-shaped table.
    await db.query(`DROP TABLE IF EXISTS bench_metrics; CREATE TABLE bench_metrics (LIKE metrics INCLUDING ALL)`);
    await quiesce();
    counted = await cpuOf("c");
    t = performance.now();
    await withStagingPlans(
      `INSERT INTO bench_metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, updated_at)
       SELECT $2, 'meta', date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, now() FROM staging_rows WHERE upload_id = $1 AND arrived_on = $3`,
      [uploadId, ws.id, stagingDay(claimed.created_at)],
    );
    results.c.push(performance.now() - t);
    await counted();
    await db.query(`DROP TABLE bench_metrics`);

    // (d) our promotion.
    await quiesce();
    counted = await cpuOf("d");
    t = performance.now();
    const staged = (await claimUpload(db, { worker: "promote", workerId: "bench", ready: "staged", inFlight: "promoting" }))!;
    const promoted = await promoteUpload(db, staged, "bench");
    results.d.push(performance.now() - t);
    await counted();
    if (promoted.result !== "completed") throw new Error(`promotion ended ${promoted.result}`);

    // An upload staged like the one just promoted (same keys, same arrival day), with `spendDelta` added to every spend.
    const restage = async (from: string, spendDelta: number) => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, created_at, total_rows, valid_rows,
                              parsed_records, staged_rows, first_date, last_date, staged_at)
         SELECT gen_random_uuid(), workspace_id, platform, source, file_name, size_bytes, sha256 || '-' || gen_random_uuid(), storage_key, 'staged', created_at,
                total_rows, valid_rows, parsed_records, valid_rows, first_date, last_date, now()
           FROM uploads WHERE id = $1 RETURNING id`,
        [from],
      );
      await db.query(
        `INSERT INTO staging_rows (upload_id, arrived_on, line_no, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency)
         SELECT $2, arrived_on, line_no, date, campaign_id, campaign_name, spend + $3, impressions, clicks, conversions, currency FROM staging_rows
          WHERE upload_id = $1 AND arrived_on = $4 ORDER BY line_no`,
        [from, rows[0].id, spendDelta, stagingDay(claimed.created_at)],
      );
      await summarizeStaging(db);
      await db.query(`ANALYZE staging_rows`);
      return rows[0].id;
    };
    const promoteStaged = async (step: string) => {
      await quiesce();
      counted = await cpuOf(step);
      t = performance.now();
      const next = (await claimUpload(db, { worker: "promote", workerId: "bench", ready: "staged", inFlight: "promoting" }))!;
      const outcome = await promoteUpload(db, next, "bench");
      results[step].push(performance.now() - t);
      await counted();
      if (outcome.result !== "completed") throw new Error(`promotion (${step}) ended ${outcome.result}`);
      return outcome;
    };

    // (c′) the ceiling of promoting overlapping data: one upsert of a changed copy of the rows into a copy of production.
    const changed = await restage(uploadId, 1);
    await db.query(`DROP TABLE IF EXISTS bench_metrics; CREATE TABLE bench_metrics (LIKE metrics INCLUDING ALL)`);
    await db.query(`INSERT INTO bench_metrics SELECT * FROM metrics WHERE workspace_id = $1`, [ws.id]);
    await db.query(`ANALYZE bench_metrics`);
    await quiesce();
    counted = await cpuOf("c′");
    t = performance.now();
    const upserted = await withStagingPlans(
      `INSERT INTO bench_metrics AS m (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, updated_at)
       SELECT $2, 'meta', date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id, now() FROM staging_rows WHERE upload_id = $1 AND arrived_on = $3
       ON CONFLICT (workspace_id, platform, date, campaign_id) DO UPDATE
          SET campaign_name = EXCLUDED.campaign_name, spend = EXCLUDED.spend, impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
              conversions = EXCLUDED.conversions, currency = EXCLUDED.currency, upload_id = EXCLUDED.upload_id, updated_at = EXCLUDED.updated_at`,
      [changed, ws.id, stagingDay(claimed.created_at)],
    );
    results["c′"].push(performance.now() - t);
    await counted();
    await db.query(`DROP TABLE bench_metrics`);
    if (upserted.rowCount !== ROWS) throw new Error(`(c′) upserted ${upserted.rowCount} rows`);

    // (g) our promotion of that upload: every key exists in production with other values.
    const overlapping = await promoteStaged("g");
    if (overlapping.written !== ROWS) throw new Error(`(g) wrote ${overlapping.written} rows, not ${ROWS}`);

    // (e) our promotion of an upload identical to what production now holds: must write nothing.
    await restage(changed, 0);
    rewritten = (await promoteStaged("e")).written;

    // (f) upload → completed through the real HTTP API and the workers, in a server process of their own.
    const httpSlug = `${slug}-http`;
    await prisma().workspace.create({ data: { slug: httpSlug, name: httpSlug } });
    const apiKey = (await createApiKey(prisma(), httpSlug)).key;
    const server = await startServer();
    serverPid = server.pid;
    await quiesce();
    counted = await cpuOf("f");
    t = performance.now();
    const response = await postFile(`${server.url}/api/v1/uploads`, apiKey, { workspace_id: httpSlug, platform: "meta" }, file);
    const body = JSON.parse(response.body);
    if (response.status !== 201) throw new Error(response.body);
    const uploadedMs = performance.now() - t;
    for (;;) {
      const { rows } = await db.query(`SELECT status FROM uploads WHERE id = $1`, [body.id]);
      if (rows[0].status === "completed") break;
      if (["failed", "partial"].includes(rows[0].status)) throw new Error(`HTTP upload ended ${rows[0].status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    results.f.push(performance.now() - t);
    await counted();
    workerPeak = Math.max(workerPeak, server.peakRss());
    server.stop();
    const events = await db.query<{ to_status: string; ms: number }>(
      `SELECT to_status, extract(epoch FROM created_at - lag(created_at) OVER (ORDER BY id)) * 1000 AS ms FROM upload_events WHERE upload_id = $1 ORDER BY id`,
      [body.id],
    );
    // Event times are the transitions' own times (clock_timestamp()): "parse" ends with the final check,
    // and the promotion is what remains after its claim.
    const step = (to: string) => Number(events.rows.find((e) => e.to_status === to)?.ms ?? 0);
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const promoteMs = results.f.at(-1)! - uploadedMs - step("processing") - step("staged") - step("promoting");
    fSteps.push(
      `upload ${s(uploadedMs)}s, claim ${s(step("processing"))}s, parse ${s(step("staged"))}s, check + claim ${s(step("promoting"))}s, promote ${s(promoteMs)}s`,
    );
    console.log(
      `run ${run}: ${Object.entries(results)
        .map(([k, v]) => `${k} ${(v.at(-1)! / 1000).toFixed(2)}s`)
        .join("  ")}   (f: ${fSteps.at(-1)})`,
    );
  }
  clearInterval(sampler);

  const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, med(v)])) as Record<string, number>;
  const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString("en-US")} rows/s`;
  const line = (label: string, ms: number, extra = "") =>
    console.log(`${label.padEnd(56)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(ms).padStart(18)}  ${extra}`);
  console.log(`\nmedians of ${RUNS} run(s), ${ROWS.toLocaleString("en-US")} rows:`);
  line("(a) raw COPY into unlogged, unindexed text table", m.a, "absolute reference");
  line("(a′) COPY into logged, unindexed, staging-typed table", m["a′"], `ceiling   ${(m.a / m["a′"]).toFixed(2)} × (a)`);
  // The ratio of the medians, and each run's own ratio (its step against the ceiling measured moments
  // before it), which the machine's drift from run to run affects less.
  const perRun = (ceiling: (i: number) => number, step: string) =>
    RUNS > 1 ? ` (per run: ${results[step].map((ms, i) => (ceiling(i) / ms).toFixed(2)).join(", ")})` : "";
  const judged = (step: string, ceiling: string, target: string) =>
    `ratio ${(m[ceiling] / m[step]).toFixed(2)} × (${ceiling})   target ≥ ${target}${perRun((i) => results[ceiling][i], step)}`;
  line("(b) parse + validate + stage", m.b, judged("b", "a′", "0.85") + `   [${(m.a / m.b).toFixed(2)} × (a)]`);
  line("(c) plain INSERT … SELECT into empty table", m.c, "ceiling");
  line("(d) promotion", m.d, judged("d", "c", "0.6"));
  line("(c′) one upsert of overlapping rows (all keys exist)", m["c′"], "ceiling");
  line("(g) promotion of overlapping data", m.g, judged("g", "c′", "0.6"));
  line("(e) re-promotion of identical data", m.e, `${judged("e", "c′", "0.6")}   rows written: ${rewritten} (target 0)`);
  line(
    "(f) upload → completed via HTTP API + workers",
    m.f,
    `ratio ${((m.a + m.c) / m.f).toFixed(2)} × ((a)+(c))   target ≥ 0.6${perRun((i) => results.a[i] + results.c[i], "f")}`,
  );
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(`peak RSS of the worker process (server + parse + promote workers, (f)): ${mb(workerPeak)}   target < 300 MB, flat from 1M to 5M rows`);
  console.log(`peak RSS of this process during (b), the parse worker run in process: ${mb(peakRss)}`);
  if (postmasterPid) {
    const secs = (xs: number[]) => med(xs).toFixed(2);
    console.log(`\nCPU seconds per step (medians; this machine has 2 cores, and both are busy while Node and PostgreSQL work at once):`);
    for (const [step, c] of Object.entries(cpu))
      console.log(
        `(${step}) node ${secs(c.node).padStart(6)} s   postgres ${secs(c.pg).padStart(6)} s   WAL ${med(wal[step].mb).toFixed(0).padStart(5)} MB   checkpoints begun ${wal[step].checkpoints.join(", ")}`,
      );
  }

  await closeDb();
  await stopDb?.();
  rmSync(work, { recursive: true, force: true });
}

/**
 * A multipart upload streamed from disk, as `curl -F file=@…` sends it (fetch with a FormData Blob
 * spends about a second more of client time on a 140 MB file, which is not the server's).
 */
function postFile(url: string, apiKey: string, fields: Record<string, string>, file: string): Promise<{ status: number; body: string }> {
  const boundary = `bench${Date.now()}`;
  const head =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join("") + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(head) + statSync(file).size + Buffer.byteLength(tail);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": length },
    });
    request.on("error", reject);
    request.on("response", async (response) => {
      let body = "";
      for await (const chunk of response) body += chunk;
      resolve({ status: response.statusCode ?? 0, body });
    });
    request.write(head);
    const body = createReadStream(file, { highWaterMark: 1 << 20 });
    body.on("error", reject);
    body.on("end", () => request.end(tail));
    body.pipe(request, { end: false });
  });
}

/** This script with --serve in a child process: the upload route and both workers, on the same database. */
async function startServer() {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], "--serve"], { env: process.env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line).url));
    child.once("exit", (code) => reject(new Error(`the server process exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    /** The kernel's high-water mark of the process's resident memory. */
    peakRss: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) * 1024,
    stop: () => child.kill(),
  };
}

async function serve() {
  const { serveRoutes } = await import("../lib/testing/http");
  const { startScheduler } = await import("../lib/workers/scheduler");
  const uploadsRoute = await import("../app/api/v1/uploads/route");
  const server = await serveRoutes([{ method: "POST", pattern: "/api/v1/uploads", handler: uploadsRoute.POST }]);
  // The workers as the production server and `npm run dev` run them: the in-process scheduler, at its
  // default interval, woken by the upload's arrival and chaining parse → promote.
  startScheduler();
  console.log(JSON.stringify({ url: server.url }));
}

/** The fields of /proc/<pid>/stat after the command name (so utime is [11]), or null once it exited. */
function procStat(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far. */
function processCpuSeconds(pid: number): number {
  const f = procStat(pid);
  return f ? (Number(f[11]) + Number(f[12])) / 100 : 0; // USER_HZ
}

/**
 * CPU seconds PostgreSQL has used so far: the postmaster, its children alive (backends, WAL writer,
 * checkpointer, autovacuum, …) and those that exited, whose time the kernel adds to the postmaster's.
 */
function postgresCpuSeconds(postmasterPid: number): number {
  const f = procStat(postmasterPid);
  if (!f) return 0;
  let seconds = (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime: children reaped so far
  seconds += processCpuSeconds(postmasterPid);
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry) && Number(procStat(entry)?.[1]) === postmasterPid) seconds += processCpuSeconds(Number(entry));
  }
  return seconds;
}

async function firstLine(file: string): Promise<string> {
  for await (const chunk of createReadStream(file, { end: 64 * 1024, encoding: "utf8" })) return (chunk as string).split("\n")[0];
  return "";
}

(values.serve ? serve() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
