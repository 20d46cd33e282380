import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { RUNBOOKS as ALERT_RUNBOOKS } from "@/lib/signals/catalog";
import { pool, prisma, resetDatabase } from "@/lib/testing/db";
import { RUNBOOK_CATALOG, SECTIONS, findRunbook, requiredSteps } from "./catalog";
import { csvCell, toCsv } from "./csv";
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

describe("runbook catalog", () => {
  const slugs = RUNBOOK_CATALOG.map((r) => r.slug);

  it("has a runbook for every D10 scenario, the D8 procedures and the WT-06 freshness investigation", () => {
    const sources = RUNBOOK_CATALOG.flatMap((r) => r.sources);
    for (let n = 1; n <= 10; n++) expect(sources, `D10-${String(n).padStart(2, "0")}`).toContain(`D10-${String(n).padStart(2, "0")}`);
    for (const slug of ["d8-pause", "d8-resume", "d8-rollback-phase", "d8-emergency-data-fix", "d8-stuck-upload", "d8-staging-cleanup", "wt-06-freshness"]) {
      expect(slugs).toContain(slug);
    }
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it("serves every runbook an alert links to", () => {
    for (const r of ALERT_RUNBOOKS) expect(findRunbook(r.slug), r.slug).toBeDefined();
  });

  it("gives every runbook all five sections, with exact steps that say what to expect", () => {
    for (const r of RUNBOOK_CATALOG) {
      for (const section of SECTIONS) expect(r.sections.find((s) => s.section === section)!.steps.length, `${r.slug} ${section}`).toBeGreaterThan(0);
      for (const step of r.steps) {
        expect(step.do.length, `${r.slug} ${step.id}`).toBeGreaterThan(20);
        expect(step.expect.length, `${r.slug} ${step.id}`).toBeGreaterThan(2);
      }
      expect(new Set(r.steps.map((s) => s.id)).size).toBe(r.steps.length);
    }
  });

  it("never changes data by SQL: queries only read, changes go through audited console actions", () => {
    const statements = RUNBOOK_CATALOG.flatMap((r) => r.steps.flatMap((s) => s.how ?? [])).filter((h) => h.kind === "sql");
    expect(statements.length).toBeGreaterThan(20);
    for (const h of statements) expect(h.text, h.text).not.toMatch(/\b(UPDATE|DELETE|INSERT|TRUNCATE|ALTER|DROP)\b/i);
  });

  it("points the phase rollback at the rollout control on the Controls page", () => {
    const how = findRunbook("d8-rollback-phase")!.steps.flatMap((s) => s.how ?? []);
    expect(how).toContainEqual({ kind: "console", page: "/controls", action: "Set rollout" });
    expect(how).toContainEqual({ kind: "console", page: "/controls", action: "Halt ingestion" });
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
    const events = new Set(
      RUNBOOK_CATALOG.flatMap((r) => r.steps.flatMap((s) => s.how ?? []))
        .filter((h) => h.kind === "jq")
        .flatMap((h) => [...h.text.matchAll(/\.event == "([^"]+)"/g)].map((m) => m[1])),
    );
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
    expect(started).toMatchObject({ runbook: "d8-stuck-upload", runbookTitle: stuck.title, incidentId: "INC-7", startedBy: "oncall@example.com", status: "open" });
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
    expect((await listRunbookExecutions(pool(), { result: "failed" })).map((e) => e.id)).toEqual([a.id]);
    expect((await listRunbookExecutions(pool(), { incident: "INC-2", runbook: "d8-pause", status: "open" })).map((e) => e.id)).toEqual([b.id]);
    expect(await listRunbookExecutions(pool(), { status: "resolved" })).toEqual([]);

    const csv = await executionLogCsv(pool(), { incident: "INC-1" });
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,1.1,detection,Confirm the stuck upload,failed,"'=HYPERLINK(""http://evil.example"",""click"")",oncall@example.com,`);
    const other = toCsv(CSV_COLUMNS, await executionLogRows(pool(), { incident: "INC-2" }));
    expect(other).toContain(`"'-5 % error rate, @team"`);
  });
});
