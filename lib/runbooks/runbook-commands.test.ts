import { spawn } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { serveRoutes } from "@/lib/testing/http";
import * as health from "@/app/health/route";
import * as ready from "@/app/ready/route";
import * as metrics from "@/app/api/metrics/route";
import * as cronParse from "@/app/api/cron/parse/route";
import * as cronPromote from "@/app/api/cron/promote/route";
import * as cronCleanup from "@/app/api/cron/cleanup/route";
import * as cronMonitor from "@/app/api/cron/monitor/route";
import * as uploads from "@/app/api/v1/uploads/route";
import * as upload from "@/app/api/v1/uploads/[id]/route";
import { WORLD, seedIncidentWorld } from "@/lib/testing/incident-world";
import { listRunbooks } from "./load-runbooks";
import { commandsOf, type Runbook } from "./runbook-file";
import { matchCommandOutput, matchSqlOutput } from "./expected-output";

/**
 * Point 3 of issue 15: every command of every runbook runs here, against a database migrated to the
 * current schema and seeded with the incident it is written for (lib/testing/incident-world.ts). SQL that reads
 * runs in a READ ONLY transaction (so a runbook cannot change data by accident); SQL marked `write`
 * runs in a transaction that is rolled back; `curl` and `npm run cli` commands run against the real
 * route handlers on loopback. Where a runbook states the output, the output must match. A renamed
 * column fails this test, not the incident.
 */

/** Which seeded upload a runbook's <UPLOAD_ID> is (the rest of the placeholders are the same for all). */
const UPLOAD_FOR: Record<string, string> = {
  "d10-01-metric-delta": WORLD.completed,
  "d10-02-partial-promotion": WORLD.partial,
  "d10-03-skipped-rows": WORLD.dataLoss,
  "wt-06-freshness": WORLD.completed,
  "d8-emergency-data-fix": WORLD.completed,
  "d8-staging-cleanup": WORLD.partial,
};

let server: Awaited<ReturnType<typeof serveRoutes>>;
beforeAll(async () => {
  server = await serveRoutes([
    { method: "GET", pattern: "/health", handler: async () => health.GET() },
    { method: "GET", pattern: "/ready", handler: ready.GET },
    { method: "GET", pattern: "/api/metrics", handler: metrics.GET },
    ...[cronParse, cronPromote, cronCleanup, cronMonitor].flatMap((route, i) =>
      (["GET", "POST"] as const).map((method) => ({ method, pattern: `/api/cron/${["parse", "promote", "cleanup", "monitor"][i]}`, handler: route[method] })),
    ),
    { method: "POST", pattern: "/api/v1/uploads", handler: uploads.POST },
    { method: "GET", pattern: "/api/v1/uploads/[id]", handler: upload.GET },
  ]);
});
afterAll(() => server?.close());

async function placeholders(runbook: Runbook): Promise<Record<string, string>> {
  const key = await createApiKey(prisma(), "acme", "runbook-test");
  const { rows } = await pool().query(
    `SELECT (current_date - 2)::text AS day, (now() - interval '3 hours')::text AS start, now()::text AS now`,
  );
  return {
    UPLOAD_ID: UPLOAD_FOR[runbook.slug] ?? WORLD.stuck,
    WORKSPACE: "acme",
    TEST_WORKSPACE: "acme",
    PLATFORM: "meta",
    DAY: rows[0].day,
    INCIDENT_ID: WORLD.incident,
    FROM: rows[0].start,
    TO: rows[0].now,
    INCIDENT_START: rows[0].start,
    INCIDENT_END: rows[0].now,
    WORKER: "parse",
    API_KEY: key.key,
    KEY_PREFIX: key.prefix,
    ALERT_ID: WORLD.alert,
    EMAIL: "intern@example.com",
    YOUR_EMAIL: "sre@example.com",
    INSTANCE: "web-1",
  };
}

function substitute(text: string, values: Record<string, string>): string {
  const filled = text.replace(/<([A-Z_]+)>/g, (whole, name: string) => values[name] ?? whole);
  const left = filled.match(/<[A-Z_]+>/);
  if (left) throw new Error(`placeholder ${left[0]} has no value in the test scenario`);
  return filled;
}

const raw = { getTypeParser: () => (value: string) => value };

async function runSql(text: string, write: boolean) {
  const client = await pool().connect();
  try {
    await client.query(write ? "BEGIN" : "BEGIN READ ONLY");
    await client.query("SET LOCAL statement_timeout = '10s'");
    // Values as PostgreSQL prints them (t/f, timestamps as text), which is what psql shows.
    const result = await client.query({ text, rowMode: "array", types: raw } as never);
    if (Array.isArray(result)) throw new Error("one statement per sql block, so that its output is unambiguous");
    return result as unknown as { command: string; rowCount: number; fields: { name: string }[]; rows: (string | null)[][] };
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    client.release();
  }
}

/** Runs a command in the repository folder, as the runbooks say; asynchronously, since the server it calls lives in this process. */
function runShell(text: string, values: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", text], {
      cwd: process.cwd(),
      timeout: 60_000,
      env: { ...process.env, BASE_URL: server.url, CRON_SECRET: process.env.CRON_SECRET!, DATABASE_URL: process.env.DATABASE_URL!, API_KEY: values.API_KEY },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const runbooks = listRunbooks();

describe.each(runbooks.map((r) => [r.slug, r] as const))("runbook %s: every command runs", (_slug, runbook) => {
  beforeEach(async () => {
    await resetDatabase();
    await seedIncidentWorld(pool());
  });

  const commands = commandsOf(runbook);
  const sql = commands.filter((c) => c.command.lang === "sql");
  const shell = commands.filter((c) => c.command.lang === "sh" && c.command.flag === null);

  it.skipIf(!sql.length)("its SQL runs on the current schema (read-only unless marked write) and prints what it says", async () => {
    const values = await placeholders(runbook);
    for (const { step, command } of sql) {
      const text = substitute(command.text, values);
      const label = `${runbook.slug} step ${step.id}:\n${text}`;
      const result = await runSql(text, command.flag === "write").catch((error: Error) => {
        throw new Error(`${label}\nfailed: ${error.message}`);
      });
      if (command.flag === "write") expect(result.command, label).toMatch(/^(INSERT|UPDATE|DELETE|WITH)/);
      if (command.expected !== null) {
        const problem = matchSqlOutput(substitute(command.expected, values), result);
        expect(problem, label).toBeNull();
      }
    }
  });

  it.skipIf(!shell.length)("its curl and CLI commands run against the real routes and print what they say", async () => {
    const values = await placeholders(runbook);
    for (const { step, command } of shell) {
      const text = substitute(command.text, values);
      const label = `${runbook.slug} step ${step.id}: ${text}`;
      const run = await runShell(text, values);
      expect(run.status, `${label}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
      if (command.expected !== null) expect(matchCommandOutput(substitute(command.expected, values), run.stdout), label).toBeNull();
    }
  });
});

describe("the command rules", () => {
  it("lets only curl, the CLI and psql run unmarked; anything else on the host is marked", () => {
    for (const r of runbooks) {
      for (const { step, command } of commandsOf(r)) {
        if (command.lang !== "sh" || command.flag !== null) continue;
        expect(command.text.trim(), `${r.slug} ${step.id}`).toMatch(/^(curl |npm run --silent cli |psql )/);
      }
    }
  });

  it("marks SQL that changes data only in runbooks that say so in a hard stop or a task", () => {
    const writers = runbooks.filter((r) => commandsOf(r).some((c) => c.command.flag === "write")).map((r) => r.slug);
    expect(writers.sort()).toEqual(["d8-emergency-data-fix", "task-rotate-secret"]);
    for (const r of runbooks) {
      for (const { command } of commandsOf(r)) {
        if (command.lang === "sql" && command.flag !== "write") expect(command.text, r.slug).not.toMatch(/\b(UPDATE|DELETE|INSERT|TRUNCATE|ALTER|DROP)\b/i);
      }
    }
  });

  it("a read-only block that tries to write is refused by the database", async () => {
    await expect(runSql(`DELETE FROM uploads`, false)).rejects.toThrow(/read-only transaction/);
  });
});
