import { spawn, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORLD, seedIncidentWorld } from "@/lib/testing/incident-world";
import { matchCommandOutput } from "./expected-output";
import { findRunbook } from "./load-runbooks";
import { commandsOf } from "./runbook-file";

/**
 * The backup runbook, for real: its `sh backup` commands, exactly as written, dump a migrated and
 * seeded database with pg_dump, restore it into a scratch database with pg_restore, and the restored
 * copy holds the same rows. pg_dump refuses a server newer than itself, and the PostgreSQL client tools
 * on these machines (Debian's) are version 15 while the test server is 18, so this test starts a
 * PostgreSQL 15 server from the same npm packages as the embedded one (devDependency pg15-binaries).
 */

const BIN = path.resolve("node_modules/pg15-binaries/native/bin");
const clientMajor = Number(spawnSync("pg_dump", ["--version"], { encoding: "utf8" }).stdout?.match(/\) (\d+)/)?.[1] ?? 0);

let dataDir: string;
let port: number;
const url = (db: string) => `postgresql://postgres@127.0.0.1:${port}/${db}`;

function asPostgres(cmd: string, args: string[]) {
  // initdb and postgres refuse to run as root; the embedded server runs as the postgres user too.
  const ids = userInfo().uid === 0 ? { uid: Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout), gid: Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout) } : {};
  const run = spawnSync(path.join(BIN, cmd), args, { encoding: "utf8", ...ids, env: { ...process.env, LC_ALL: "C" } });
  if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stdout}\n${run.stderr}`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "runbook-backup-pg15-"));
  if (userInfo().uid === 0) chownSync(dataDir, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout));
  port = 57000 + Math.floor(Math.random() * 1000);
  asPostgres("initdb", ["-D", path.join(dataDir, "pg"), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]);
  asPostgres("pg_ctl", ["-D", path.join(dataDir, "pg"), "-o", `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1`, "-w", "-l", path.join(dataDir, "pg.log"), "start"]);
  const admin = new pg.Client({ connectionString: url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE ingestion");
  await admin.query("CREATE DATABASE scratch");
  await admin.end();
  const migrate = spawnSync(process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url("ingestion") }, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrate deploy failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const source = new pg.Pool({ connectionString: url("ingestion") });
  await seedIncidentWorld(source);
  await source.end();
}, 180_000);

afterAll(() => {
  if (!dataDir) return;
  try {
    asPostgres("pg_ctl", ["-D", path.join(dataDir, "pg"), "-m", "fast", "-w", "stop"]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function sh(text: string, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", text], { cwd, env: { ...process.env, DATABASE_URL: url("ingestion"), RESTORE_URL: url("scratch") } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const counts = async (db: string) => {
  const client = new pg.Client({ connectionString: url(db) });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT (SELECT count(*) FROM uploads)::int AS uploads, (SELECT count(*) FROM metrics)::int AS metrics, (SELECT count(*) FROM staging_rows)::int AS staging`);
    return rows[0];
  } finally {
    await client.end();
  }
};

describe("runbook task-backup-restore", () => {
  it("uses client tools of the server's major version, as its first step requires", () => {
    expect(clientMajor, "install PostgreSQL 15 client tools (Debian: postgresql-client-15)").toBe(15);
  });

  it("dumps, lists and restores into a scratch database with its commands as written, and the copy has every row", async () => {
    const runbook = findRunbook("task-backup-restore")!;
    const commands = commandsOf(runbook).filter((c) => c.command.flag === "backup");
    const steps = commands.map((c) => c.step.id);
    expect(steps).toEqual(["1.1", "2.1", "2.2", "2.3", "2.4", "4.1"]);
    const work = mkdtempSync(path.join(tmpdir(), "runbook-backup-"));
    try {
      const before = await counts("ingestion");
      expect(before).toEqual({ uploads: 6, metrics: 5, staging: 3 });
      expect(await counts("scratch").catch((e: Error) => e.message)).toMatch(/relation "uploads" does not exist/);
      const outputs: Record<string, string> = {};
      for (const { step, command } of commands.filter((c) => c.step.section !== "rollback")) {
        const run = await sh(command.text, work);
        expect(run.status, `step ${step.id}: ${command.text}\n${run.stderr}`).toBe(0);
        if (command.expected !== null) expect(matchCommandOutput(command.expected, run.stdout), `step ${step.id}`).toBeNull();
        outputs[step.id] = run.stdout.trim();
      }
      expect(outputs["1.1"]).toMatch(/^pg_dump \(PostgreSQL\) 15\./);
      expect(await counts("scratch")).toEqual(before);
      expect(outputs["2.4"]).toBe(`${before.uploads} ${before.metrics} ${await auditCount("ingestion")}`);
      const restored = new pg.Client({ connectionString: url("scratch") });
      await restored.connect();
      const { rows } = await restored.query(`SELECT status::text FROM uploads WHERE id = $1`, [WORLD.stuck]);
      await restored.end();
      expect(rows).toEqual([{ status: "processing" }]);

      // Rollback: restoring over a database that lost data brings the rows back.
      const damaged = new pg.Client({ connectionString: url("ingestion") });
      await damaged.connect();
      await damaged.query(`DELETE FROM metrics`);
      await damaged.end();
      expect((await counts("ingestion")).metrics).toBe(0);
      const rollback = commands.find((c) => c.step.id === "4.1")!;
      const run = await sh(rollback.command.text, work);
      expect(run.status, run.stderr).toBe(0);
      expect(await counts("ingestion")).toEqual(before);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});

async function auditCount(db: string) {
  const client = new pg.Client({ connectionString: url(db) });
  await client.connect();
  try {
    return (await client.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n as number;
  } finally {
    await client.end();
  }
}
