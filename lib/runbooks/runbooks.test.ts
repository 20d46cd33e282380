import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { StepBody } from "@/components/runbook-markdown";
import { RUNBOOKS as ALERT_RUNBOOKS, SCENARIOS, SIGNALS } from "@/lib/signals/catalog";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { findRunbook, listRunbooks } from "./load-runbooks";
import { commandsOf, parseRunbook, requiredSteps } from "./runbook-file";
import { csvCell, toCsv } from "./csv";
import { matchCommandOutput, matchSqlOutput } from "./expected-output";
import {
  CSV_COLUMNS,
  closeRunbookExecution,
  executionLogCsv,
  executionLogRows,
  listOpenExecutions,
  listRunbookExecutions,
  recordRunbookStep,
  startRunbookExecution,
} from "./runbook-executions";

const oncall = { id: "00000000-0000-0000-0000-0000000000b1", email: "oncall@example.com", roles: ["oncall"] };
const sre = { id: "00000000-0000-0000-0000-0000000000b2", email: "sre@example.com", roles: ["sre_lead"] };

describe("runbook files", () => {
  const runbooks = listRunbooks();
  const slugs = runbooks.map((r) => r.slug);
  const covering = (scenario: string) => runbooks.filter((r) => r.scenarios.includes(scenario)).map((r) => r.slug);

  it("covers every scenario of the signal catalog, every D10 scenario, the D8 procedures and both WT-06 failure modes", () => {
    for (const scenario of SCENARIOS) expect(covering(scenario), `no runbook for ${scenario}`).not.toEqual([]);
    for (let n = 1; n <= 10; n++) expect(covering(`D10-${String(n).padStart(2, "0")}`), `D10-${n}`).not.toEqual([]);
    for (const section of ["D8 §3.2", "D8 §4.1", "D8 §4.2", "D8 §4.3", "D8 §5"]) expect(covering(section), section).not.toEqual([]);
    expect(covering("WT-06")).toEqual(expect.arrayContaining(["wt-06-freshness", "wt-06-worker-anomaly"]));
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it("has the operational tasks, the escalation procedure and the postmortem template", () => {
    const tasks = ["task-backup-restore", "task-config-change", "task-restart-instance", "task-rotate-secret", "task-scale-database", "d8-pause", "d8-resume", "d8-hourly-check"];
    for (const slug of tasks) expect(findRunbook(slug)?.type, slug).toBe("task");
    expect(findRunbook("escalation")?.type).toBe("escalation");
    expect(findRunbook("postmortem-template")?.type).toBe("postmortem");
  });

  it("serves every runbook an alert or a Prometheus rule links to, under the same title", () => {
    for (const r of ALERT_RUNBOOKS) expect(findRunbook(r.slug)?.title, r.slug).toBe(r.title);
    for (const signal of Object.values(SIGNALS)) expect(findRunbook(signal.runbook)?.scenarios, signal.runbook).toContain(signal.scenario);
    const rules = readFileSync(path.resolve("monitoring/alerts.yml"), "utf8");
    for (const [, slug] of rules.matchAll(/\/runbooks\/([a-z0-9-]+)/g)) expect(findRunbook(slug), slug).toBeDefined();
  });

  it("gives every failure and task step its success criterion, and every step a stable numbered id", () => {
    for (const r of runbooks) {
      expect(new Set(r.steps.map((s) => s.id)).size, r.slug).toBe(r.steps.length);
      if (r.type !== "failure" && r.type !== "task") continue;
      for (const step of r.steps) {
        const text = step.blocks.filter((b) => b.kind === "paragraph").map((b) => (b as { text: string }).text);
        expect(text.some((t) => t.startsWith("**Expect:**")), `${r.slug} ${step.id} has no **Expect:**`).toBe(true);
      }
    }
  });

  it("refuses a file that breaks its template, its numbering or its front matter", () => {
    const good = readFileSync(path.resolve("runbooks/d8-pause.md"), "utf8");
    expect(() => parseRunbook(good, "d8-pause.md")).not.toThrow();
    expect(() => parseRunbook(good, "other.md")).toThrow(/must match the file name/);
    expect(() => parseRunbook(good.replace("### 1.2 ", "### 1.3 "), "d8-pause.md")).toThrow(/must be numbered 1.2/);
    expect(() => parseRunbook(good.replace("## Verification", "## Checks"), "d8-pause.md")).toThrow(/Prerequisites → Steps → Verification → Rollback/);
    expect(() => parseRunbook(good.replace(/^version: .*$/m, "version: latest"), "d8-pause.md")).toThrow(/version/);
    expect(() => parseRunbook(good.replace(/^owner: .*$/m, "owner: intern"), "d8-pause.md")).toThrow(/owner/);
    expect(() => parseRunbook(good.replace("```sql", "```sql maybe"), "d8-pause.md")).toThrow(/unknown command flag/);
  });

  it("renders Markdown on the server with every piece of text escaped", () => {
    const source = readFileSync(path.resolve("runbooks/d8-pause.md"), "utf8").replace(
      "### 1.1 Confirm the trigger\n",
      "### 1.1 Confirm the trigger\n\n<script>alert(1)</script> [x](javascript:alert(1)) [Controls](/controls) `<b>`\n",
    );
    const html = renderToStaticMarkup(createElement(StepBody, { step: parseRunbook(source, "d8-pause.md").steps[0] }));
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('href="/controls"');
    expect(html).toContain("<code");
  });

  it("selects only log events the application writes", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith(".ts") && !full.includes(`${path.sep}runbooks${path.sep}`)) files.push(readFileSync(full, "utf8"));
      }
    };
    walk(path.resolve("lib"));
    const source = files.join("\n");
    const logCommands = runbooks.flatMap(commandsOf).filter((c) => c.command.flag === "log");
    for (const { command } of logCommands) expect(command.text, "a log command is a jq over ingestion.log").toMatch(/^jq -c '.*' ingestion\.log/);
    const events = new Set(logCommands.flatMap((c) => [...c.command.text.matchAll(/\.event == "([^"]+)"/g)].map((m) => m[1])));
    expect([...events]).toEqual(expect.arrayContaining(["state_change", "ingestion.completed", "ingestion.data_loss", "ingestion.metric_delta", "worker.failed"]));
    for (const event of events) expect(source, event).toMatch(new RegExp(`log\\.(info|warn|error)\\("${event.replaceAll(".", "\\.")}"`));
  });
});

describe("CSV", () => {
  it("makes formula-looking cells safe and quotes what needs quoting", () => {
    expect(csvCell("=HYPERLINK(\"http://evil\",\"x\")")).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("  =1+1")).toBe("'  =1+1");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("a, b")).toBe(`"a, b"`);
    expect(csvCell("line\nbreak")).toBe(`"line\nbreak"`);
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000Z");
    expect(toCsv(["a", "b"], [["1", "=x"]])).toBe("a,b\r\n1,'=x\r\n");
  });
});

describe("runbook executions", () => {
  beforeEach(resetDatabase);

  const stuck = findRunbook("d8-stuck-upload")!;

  async function recordAll(executionId: string) {
    for (const step of requiredSteps(stuck)) {
      const skipped = step.title.startsWith("Resume");
      await recordRunbookStep(pool(), oncall, { executionId, stepId: step.id, result: skipped ? "skipped" : "ok", note: skipped ? "aborted instead" : null });
    }
  }

  it("records who ran what for which incident, each step's result, and how it ended — all audited", async () => {
    const started = await startRunbookExecution(pool(), oncall, { runbook: "d8-stuck-upload", incidentId: "INC-7" });
    expect(started).toMatchObject({
      runbook: "d8-stuck-upload",
      runbookTitle: stuck.title,
      runbookVersion: stuck.version,
      runbookDigest: stuck.digest,
      incidentId: "INC-7",
      startedBy: "oncall@example.com",
      status: "open",
    });
    // The version is stored with the execution (and audited), so a later edit of the file does not rewrite history.
    expect((await pool().query(`SELECT runbook_version, runbook_digest FROM runbook_executions WHERE id = $1`, [started.id])).rows[0]).toEqual({
      runbook_version: stuck.version,
      runbook_digest: stuck.digest,
    });
    expect((await listOpenExecutions(pool())).map((e) => e.id)).toEqual([started.id]);

    await expect(recordRunbookStep(pool(), oncall, { executionId: started.id, stepId: "9.9", result: "ok" })).rejects.toMatchObject({ code: "UNKNOWN_STEP" });
    await expect(recordRunbookStep(pool(), oncall, { executionId: started.id, stepId: "2.3", result: "failed" })).rejects.toMatchObject({ code: "NOTE_REQUIRED" });
    await recordRunbookStep(pool(), oncall, { executionId: started.id, stepId: "2.3", result: "failed", note: "no parse runs for 20 min" });
    let current = await recordRunbookStep(pool(), oncall, { executionId: started.id, stepId: "1.1", result: "ok", note: "upload u1 stuck 45 min in processing" });

    // Cannot claim "resolved" with steps missing or failed.
    await expect(closeRunbookExecution(pool(), oncall, { executionId: started.id, outcome: "resolved", expectedVersion: current.version })).rejects.toMatchObject({
      status: 409,
      code: "NOT_RESOLVED",
      message: expect.stringContaining("2.3 Check that the worker runs (failed)"),
    });
    await recordAll(started.id);
    current = await recordRunbookStep(pool(), sre, { executionId: started.id, stepId: "2.3", result: "ok", note: "scheduler restarted, runs every 2 s" });
    expect(current.latest["2.3"]).toMatchObject({ result: "ok", recordedBy: "sre@example.com" });
    expect(current.records.filter((r) => r.stepId === "2.3").map((r) => r.result)).toEqual(["failed", "ok", "ok"]);
    expect(current.progress).toEqual({ recorded: requiredSteps(stuck).length, required: requiredSteps(stuck).length, failed: 0 });

    await expect(closeRunbookExecution(pool(), oncall, { executionId: started.id, outcome: "resolved", expectedVersion: current.version - 1 })).rejects.toMatchObject({
      code: "STALE_EXECUTION",
    });
    const closed = await closeRunbookExecution(pool(), oncall, { executionId: started.id, outcome: "resolved", note: "force-failed, client re-sent", expectedVersion: current.version });
    expect(closed).toMatchObject({ status: "resolved", closedBy: "oncall@example.com", closingNote: "force-failed, client re-sent" });
    expect(await listOpenExecutions(pool())).toEqual([]);
    await expect(recordRunbookStep(pool(), oncall, { executionId: started.id, stepId: "5.1", result: "ok" })).rejects.toMatchObject({ status: 409, code: "EXECUTION_CLOSED" });

    const audit = await prisma().auditLog.findMany({ where: { targetId: started.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["runbook.start", ...closed.records.map(() => "runbook.step"), "runbook.close"]);
    expect(audit.every((a) => a.incidentId === "INC-7" && a.outcome === "ok")).toBe(true);
    // The step log is append-only in the database too.
    await expect(pool().query(`UPDATE runbook_step_records SET result = 'ok' WHERE execution_id = $1`, [started.id])).rejects.toThrow(/append-only/);
  });

  it("needs an incident or an alert, refuses a second open run for the same incident, and aborting needs a reason", async () => {
    await expect(startRunbookExecution(pool(), oncall, { runbook: "d8-stuck-upload", incidentId: " " })).rejects.toMatchObject({ code: "INCIDENT_ID_REQUIRED" });
    expect(await prisma().auditLog.count({ where: { action: "runbook.start", outcome: "refused" } })).toBe(1);
    await expect(startRunbookExecution(pool(), oncall, { runbook: "nope", incidentId: "INC-1" })).rejects.toMatchObject({ status: 404 });

    const alertId = "00000000-0000-0000-0000-00000000c0de";
    await pool().query(
      `INSERT INTO alerts (id, signal, fingerprint, active_fingerprint, scenario, severity, owner_role, runbook, title, detail, opened_at, last_seen_at)
       VALUES ($1, 'stuck_upload', 'stuck:x', 'stuck:x', 'D10-10', 'page', 'oncall', 'd8-stuck-upload', 'Upload x stuck', 'd', now(), now())`,
      [alertId],
    );
    const fromAlert = await startRunbookExecution(pool(), oncall, { runbook: "d8-stuck-upload", alertId });
    expect(fromAlert).toMatchObject({ incidentId: `alert:${alertId}`, alert: { title: "Upload x stuck", status: "open" } });
    await expect(startRunbookExecution(pool(), sre, { runbook: "d8-stuck-upload", alertId })).rejects.toMatchObject({ status: 409, code: "EXECUTION_OPEN" });
    // Another runbook for the same incident is fine.
    await startRunbookExecution(pool(), sre, { runbook: "d8-pause", alertId });

    await expect(closeRunbookExecution(pool(), oncall, { executionId: fromAlert.id, outcome: "aborted", expectedVersion: fromAlert.version })).rejects.toMatchObject({
      code: "NOTE_REQUIRED",
    });
    const aborted = await closeRunbookExecution(pool(), oncall, { executionId: fromAlert.id, outcome: "aborted", note: "moved on by itself", expectedVersion: fromAlert.version });
    expect(aborted.status).toBe("aborted");
    expect((await listOpenExecutions(pool())).map((e) => e.runbook)).toEqual(["d8-pause"]);
  });

  it("filters the log and exports it as CSV with formula cells made safe", async () => {
    const a = await startRunbookExecution(pool(), oncall, { runbook: "d8-stuck-upload", incidentId: "INC-1" });
    await recordRunbookStep(pool(), oncall, { executionId: a.id, stepId: "1.1", result: "failed", note: '=HYPERLINK("http://evil.example","click")' });
    const b = await startRunbookExecution(pool(), sre, { runbook: "d8-pause", incidentId: "INC-2" });
    await recordRunbookStep(pool(), sre, { executionId: b.id, stepId: "1.1", result: "ok", note: "-5 % error rate, @team" });

    expect((await listRunbookExecutions(pool(), { person: "sre@" })).map((e) => e.id)).toEqual([b.id]);
    // The person's text is literal: "_" is not a wildcard (no user here has one in the address).
    expect(await listRunbookExecutions(pool(), { person: "s_e@" })).toEqual([]);
    expect((await listRunbookExecutions(pool(), { result: "failed" })).map((e) => e.id)).toEqual([a.id]);
    expect((await listRunbookExecutions(pool(), { incident: "INC-2", runbook: "d8-pause", status: "open" })).map((e) => e.id)).toEqual([b.id]);
    expect(await listRunbookExecutions(pool(), { status: "resolved" })).toEqual([]);

    const csv = await executionLogCsv(pool(), { incident: "INC-1" });
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,1.1,detect,Confirm the stuck upload,failed,"'=HYPERLINK(""http://evil.example"",""click"")",oncall@example.com,`);
    const other = toCsv(CSV_COLUMNS, await executionLogRows(pool(), { incident: "INC-2" }));
    expect(other).toContain(`"'-5 % error rate, @team"`);
  });
});

describe("expected outputs", () => {
  const result = { command: "SELECT", rowCount: 1, fields: [{ name: "id" }, { name: "status" }], rows: [["u-1", "processing"]] };
  const table = (header: string, row: string, footer = "(1 row)") => `${header}\n----+--------\n${row}\n${footer}`;

  it("matches a psql table by columns, rows and count, with … for any value", () => {
    expect(matchSqlOutput(table(" id | status", " …  | processing"), result)).toBeNull();
    expect(matchSqlOutput(table(" id | state", " …  | processing"), result)).toMatch(/columns: expected id \| state, got id \| status/);
    expect(matchSqlOutput(table(" id | status", " …  | failed"), result)).toMatch(/row 1/);
    expect(matchSqlOutput(" id | status\n----+--------\n(0 rows)", result)).toMatch(/expected 0 row/);
    expect(matchSqlOutput("no table here", result)).toMatch(/psql table/);
    expect(matchSqlOutput("UPDATE 1", { ...result, command: "UPDATE" })).toBeNull();
    expect(matchSqlOutput("INSERT 0 1", { ...result, command: "INSERT", rowCount: 0 })).toMatch(/got "INSERT 0 0"/);
  });

  it("matches a command's output line by line", () => {
    expect(matchCommandOutput("ik_…", "ik_abc\n")).toBeNull();
    expect(matchCommandOutput('{"ready":true}', '{"ready":false}\n')).toMatch(/expected/);
    expect(matchCommandOutput("200", "200\n401\n")).toMatch(/expected/);
  });
});
