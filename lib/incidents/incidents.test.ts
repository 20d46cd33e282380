import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addAlertNote } from "@/lib/alerts/alert-actions";
import { appRouteFiles, serveAppRoutes, sessionCookie } from "@/lib/testing/next-routes";
import { setMode } from "@/lib/controls/change-control";
import { closeRunbookExecution, recordRunbookStep, startRunbookExecution } from "@/lib/runbooks/runbook-executions";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { forceFailUpload } from "@/lib/uploads/force-fail-upload";
import { gatherIncidentTimeline } from "./incident-timeline";
import { postmortemMarkdown, recentIncidents, savePostmortem } from "./postmortems";

// The marker package throws outside Next's react-server build; the console route imports it.

const oncall = { id: "00000000-0000-0000-0000-0000000000d1", email: "oncall@example.com", roles: ["oncall" as const] };
const sre = { id: "00000000-0000-0000-0000-0000000000d2", email: "sre@example.com", roles: ["sre_lead" as const] };

/** A small incident that happens now: an alert, a drain, a force-fail, a runbook, a breaker trip. */
async function seedIncident() {
  const ws = await createWorkspace("acme");
  const { rows } = await pool().query<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, 'meta', 'api', 'stuck|file.csv', 1, 'abc', 'k', 'processing', now() - interval '40 minutes', now() - interval '35 minutes') RETURNING id`,
    [ws.id],
  );
  const uploadId = rows[0].id;
  await pool().query(
    `INSERT INTO alerts (id, signal, fingerprint, scenario, severity, owner_role, runbook, title, detail, opened_at, last_seen_at, acknowledged_at, acknowledged_by, status)
     VALUES ('00000000-0000-0000-0000-0000000000aa', 'stuck_upload', 'stuck:x', 'D10-10', 'page', 'oncall', 'd8-stuck-upload', 'Upload stuck 35 min', 'd',
             now() - interval '5 minutes', now(), now() - interval '4 minutes', 'oncall@example.com', 'acknowledged')`,
  );
  const mode = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
  await setMode(pool(), oncall, { mode: "draining", reason: "stuck upload | investigating", incidentId: "INC-9", expectedVersion: mode.version });
  const run = await startRunbookExecution(pool(), oncall, { runbook: "d8-stuck-upload", incidentId: "INC-9" });
  await recordRunbookStep(pool(), oncall, { executionId: run.id, stepId: "1.1", result: "ok", note: "confirmed" });
  await forceFailUpload(pool(), oncall, { uploadId, expectedStatus: "processing", reason: "worker died", incidentId: "INC-9" });
  const latest = await recordRunbookStep(pool(), oncall, { executionId: run.id, stepId: "3.2", result: "ok" });
  await closeRunbookExecution(pool(), oncall, { executionId: run.id, outcome: "escalated", note: "to the ingestion owner", expectedVersion: latest.version });
  await pool().query(`INSERT INTO circuit_breakers (name) VALUES ('worker.parse')`);
  await pool().query(
    `INSERT INTO circuit_breaker_events (breaker, from_state, to_state, reason, failure_count, at) VALUES ('worker.parse', 'CLOSED', 'OPEN', 'db timeouts', 5, now() - interval '3 minutes')`,
  );
  // Outside the window and not about this incident: left out.
  await pool().query(
    `INSERT INTO audit_log (at, actor_email, actor_roles, action, target_type, outcome) VALUES (now() - interval '3 hours', 'x@example.com', '{oncall}', 'controls.halt', 'control', 'ok')`,
  );
  return { uploadId, runId: run.id };
}

beforeEach(resetDatabase);

describe("incident timeline", () => {
  it("gathers alerts, control changes, runbook steps, force-fails and breaker changes between two times, oldest first", async () => {
    const { uploadId, runId } = await seedIncident();
    const from = new Date(Date.now() - 60 * 60_000);
    const to = new Date(Date.now() + 60_000);
    const t = await gatherIncidentTimeline(pool(), { incidentId: "INC-9", from, to });
    const titles = t.entries.map((e) => `${e.source}: ${e.title}`);
    expect(titles).toEqual([
      "alert: Alert opened: Upload stuck 35 min",
      "alert: Alert acknowledged: Upload stuck 35 min",
      "breaker: Breaker worker.parse: CLOSED → OPEN",
      "control: controls.drain control:mode",
      "runbook: Runbook started: Upload stuck in a non-terminal state",
      "runbook: Step 1.1 ok: Confirm the stuck upload (d8-stuck-upload)",
      "upload: Upload force-failed from processing: stuck|file.csv (acme)",
      "runbook: Step 3.2 ok: Abort: force-fail the upload (d8-stuck-upload)",
      "runbook: Runbook closed as escalated: Upload stuck in a non-terminal state",
    ]);
    expect(t.entries.find((e) => e.source === "upload")).toMatchObject({
      actor: "oncall@example.com",
      incidentId: "INC-9",
      detail: "worker died",
      href: `/uploads/${uploadId}`,
    });
    expect(t.entries.find((e) => e.source === "control")!.detail).toContain(`reason: stuck upload | investigating · {"mode":"running"} → {"mode":"draining"`);
    expect(t.runbooks).toEqual([expect.objectContaining({ id: runId, status: "escalated", ok: 2, failed: 0, skipped: 0 })]);
    expect(t.uploads).toEqual({ created: 1, failed: 1, byErrorCode: [{ code: "FORCE_FAILED", count: 1 }] });
    expect(t.facts).toContain("1 upload(s) force-failed by operators.");
    expect(t.facts).toContain("1 circuit-breaker trip(s).");

    // Entries done under the incident ID count even outside the window; other entries only inside it.
    const earlier = await gatherIncidentTimeline(pool(), {
      incidentId: "INC-9",
      from: new Date(Date.now() - 3 * 3600_000 - 60_000),
      to: new Date(Date.now() - 2 * 3600_000),
    });
    expect(earlier.entries.map((e) => `${e.source}: ${e.title}`)).toEqual([
      "control: controls.halt control",
      "control: controls.drain control:mode",
      "runbook: Runbook started: Upload stuck in a non-terminal state",
      "runbook: Step 1.1 ok: Confirm the stuck upload (d8-stuck-upload)",
      "upload: Upload force-failed from processing: stuck|file.csv (acme)",
      "runbook: Step 3.2 ok: Abort: force-fail the upload (d8-stuck-upload)",
    ]);
    const other = await gatherIncidentTimeline(pool(), {
      incidentId: "INC-other",
      from: new Date(Date.now() - 3 * 3600_000 - 60_000),
      to: new Date(Date.now() - 2 * 3600_000),
    });
    expect(other.entries.map((e) => e.title)).toEqual(["controls.halt control"]);
  });

  it("refuses a backwards or overlong window", async () => {
    const now = new Date();
    await expect(gatherIncidentTimeline(pool(), { incidentId: "X", from: now, to: now })).rejects.toMatchObject({ code: "BAD_WINDOW" });
    await expect(gatherIncidentTimeline(pool(), { incidentId: "X", from: new Date(0), to: now })).rejects.toMatchObject({ code: "BAD_WINDOW" });
  });
});

describe("postmortem draft", () => {
  it("is saved with compare-and-set, audited, and exported as Markdown with the timeline", async () => {
    await seedIncident();
    const from = new Date(Date.now() - 60 * 60_000);
    const to = new Date(Date.now() + 60_000);
    const input = {
      incidentId: "INC-9",
      title: "Stuck upload on acme",
      from,
      to,
      whatHappened: "An upload sat in processing.",
      why: "",
      whatChanged: "",
      expectedVersion: 0,
    };
    const saved = await savePostmortem(pool(), oncall, input);
    expect(saved).toMatchObject({ version: 1, updatedBy: "oncall@example.com" });
    await expect(savePostmortem(pool(), sre, input)).rejects.toMatchObject({ code: "STALE_POSTMORTEM" });
    const second = await savePostmortem(pool(), sre, { ...input, why: "The parse worker's instance died holding the lease.", expectedVersion: 1 });
    expect(second).toMatchObject({ version: 2, updatedBy: "sre@example.com" });
    await expect(savePostmortem(pool(), oncall, { ...input, whatChanged: "x", expectedVersion: 1 })).rejects.toMatchObject({
      message: expect.stringContaining("sre@example.com saved this postmortem"),
    });
    expect(await prisma().auditLog.count({ where: { action: "postmortem.save", incidentId: "INC-9" } })).toBe(2);

    const md = postmortemMarkdown(await gatherIncidentTimeline(pool(), { incidentId: "INC-9", from, to }), second);
    expect(md).toMatch(/^# Postmortem: Stuck upload on acme\n/);
    expect(md).toContain("## What happened\n\nAn upload sat in processing.");
    expect(md).toContain("## Why\n\nThe parse worker's instance died holding the lease.");
    expect(md).toContain("## What we changed\n\n_To be written:");
    expect(md).toContain("| upload | Upload force-failed from processing: stuck\\|file.csv (acme) | `oncall@example.com` | INC-9 | worker died |");
    expect(md).toContain("**escalated** — 2 ok, 0 failed, 0 skipped — to the ingestion owner");

    expect((await recentIncidents(pool())).map((r) => r.incidentId)).toEqual(["INC-9"]);
  });
});

/** User text a hostile or careless user could type: HTML, a link, an image, a Slack mention, bare links. */
const HOSTILE = `<img src=x onerror=alert(1)> [click](http://evil.example/x) ![p](https://evil.example/p.png) <!channel> www.evil.example me@evil.example`;

/** What is left of Markdown once its code spans are taken out: where links, images and HTML would act. */
const outsideCode = (md: string) => md.replace(/`[^`\n]*`/g, "");

describe("the Markdown export over HTTP", () => {
  let server: Awaited<ReturnType<typeof serveAppRoutes>>;
  beforeAll(async () => {
    server = await serveAppRoutes(appRouteFiles("api").filter((r) => r.pattern === "/api/console/incidents/markdown"));
  });
  afterAll(() => server?.close());

  it("escapes file names, notes, reasons and the written part: no links, images, HTML or mentions from user text", async () => {
    const { uploadId } = await seedIncident();
    await pool().query(`UPDATE uploads SET file_name = $2 WHERE id = $1`, [uploadId, `${HOSTILE}.csv`]);
    await addAlertNote(pool(), oncall, "00000000-0000-0000-0000-0000000000aa", `note: ${HOSTILE}`);
    const mode = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    await setMode(pool(), oncall, { mode: "running", reason: `reason: ${HOSTILE}`, incidentId: "INC-9", expectedVersion: mode.version });
    const from = new Date(Date.now() - 60 * 60_000);
    const to = new Date(Date.now() + 60_000);
    await savePostmortem(pool(), oncall, {
      incidentId: "INC-9",
      title: `Title ${HOSTILE}`,
      from,
      to,
      whatHappened: `line one ${HOSTILE}\nline two`,
      why: "",
      whatChanged: "",
      expectedVersion: 0,
    });
    const viewer = await prisma().user.create({ data: { email: "viewer@example.com", roles: ["viewer"] } });

    const response = await fetch(
      `${server.url}/api/console/incidents/markdown?${new URLSearchParams({ incident: "INC-9", from: from.toISOString(), to: to.toISOString() })}`,
      {
        headers: { cookie: await sessionCookie(viewer) },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/markdown");
    const md = await response.text();

    // Each piece of user text is there, escaped.
    expect(md).toMatch(/^# Postmortem: Title &lt;img src=x onerror=alert\(1\)&gt; \\\[click\\\]\(`http:\/\/evil\.example\/x\)`/);
    expect(md).toContain("line one &lt;img");
    expect(md).toContain("\nline two");
    expect(md).toContain("reason: reason: &lt;img");
    expect(md).toContain("note: &lt;img");
    expect(md).toContain("Upload force-failed from processing: &lt;img");
    expect(md).toContain("&lt;\\!channel&gt;");
    expect(md).toContain("\\!\\[p\\](`https://evil.example/p.png)`");
    // Nothing of it acts: no raw HTML or angle-bracket link/mention, no link or image syntax, no bare link.
    const live = outsideCode(md);
    expect(live).not.toMatch(/</);
    expect(live).not.toMatch(/(?<!\\)\[/);
    expect(live).not.toMatch(/:\/\/|www\.|@evil/);
  });
});
