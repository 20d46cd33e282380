import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getBreaker, resetBreakers } from "@/lib/breakers/registry";
import { setMode } from "@/lib/controls/change-control";
import { runMonitor } from "@/lib/workers/run-monitor";
import { insertOutcomes, insertUpload, minutesAfter } from "@/lib/testing/signal-fixtures";
import type { SignalConfigInput } from "@/lib/signals/config";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { apiKeyFor, drainPipeline, fixture, postUpload, startApi } from "@/lib/testing/pipeline";
import { runParse } from "@/lib/workers/run-workers";
import { acknowledgeAlert, addAlertNote, setAlertOutcome } from "./alert-actions";
import { pickCulprits } from "./auto-drain";
import { getAlertOrThrow, listAlerts, signalTiles } from "./list-alerts";
import { acknowledgePartial, addPartialNote, listPartialUploads } from "./partials";

const oncall = { id: "00000000-0000-0000-0000-0000000000a1", email: "oncall@example.com", roles: ["oncall" as const] };
const support = { id: "00000000-0000-0000-0000-0000000000a2", email: "support@example.com", roles: ["support_lead" as const] };
const sre = { id: "00000000-0000-0000-0000-0000000000a3", email: "sre@example.com", roles: ["sre_lead" as const] };

/** A Slack-compatible incoming webhook on loopback that records every message. */
async function startReceiver() {
  const messages: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      messages.push(JSON.parse(body).text);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    messages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A loopback port with nothing listening: connections are refused. */
async function closedPort() {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/dead`;
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: Awaited<ReturnType<typeof startApi>>;
let ws: { id: string };

beforeAll(async () => {
  receiver = await startReceiver();
  api = await startApi();
});
afterAll(async () => {
  await receiver.close();
  await api.close();
});
beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
  receiver.messages.length = 0;
  ws = await createWorkspace("acme");
});

const monitor = (now: Date, webhookUrl: string | null = receiver.url, config?: SignalConfigInput) => runMonitor(pool(), { now, webhookUrl, config });
const modeVersion = async () => (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;

async function stuckUpload(t: Date) {
  return insertUpload(ws.id, {
    status: "promoting",
    created_at: minutesAfter(t, -40),
    started_at: minutesAfter(t, -40),
    staged_at: minutesAfter(t, -35),
    promoting_at: minutesAfter(t, -31),
  });
}

describe("notifications to the webhook", () => {
  it("escapes user text (a file name) in the message: no mention, link or HTML reaches the channel", async () => {
    const t = new Date();
    const hostile = `<!channel> <http://evil.example|click> [x](https://evil.example/y) <img src=x> www.evil.example me@evil.example & co.csv`;
    await insertUpload(ws.id, {
      status: "promoting",
      file_name: hostile,
      created_at: minutesAfter(t, -40),
      started_at: minutesAfter(t, -40),
      staged_at: minutesAfter(t, -35),
      promoting_at: minutesAfter(t, -31),
    });
    await monitor(t);
    expect(receiver.messages).toHaveLength(1);
    // The alert's own lines (title, detail) carry the user text; the last line is the console's links.
    const userPart = receiver.messages[0].split("\n").slice(0, -1).join("\n");
    expect(userPart).toContain("&lt;!channel&gt; &lt;`http://evil.example`|click&gt; [x](`https://evil.example/y)`");
    expect(userPart).toContain("&lt;img src=x&gt; `www.evil.example` `me@evil.example` &amp; co.csv");
    expect(userPart).not.toMatch(/</);
    const outsideCode = userPart.replace(/`[^`\n]*`/g, "");
    expect(outsideCode).not.toMatch(/:\/\/|www\.|@evil/);
  });

  it("sends one message per opening and one per escalation, none for repeats", async () => {
    const t = new Date();
    await stuckUpload(t);
    await monitor(t);
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.messages[0]).toMatch(/\[PAGE\] D10-10/);
    expect(receiver.messages[0]).toContain("/runbooks/d8-stuck-upload");
    expect(receiver.messages[0]).toContain("Owner: oncall");

    await monitor(minutesAfter(t, 5));
    await monitor(minutesAfter(t, 10));
    expect(receiver.messages).toHaveLength(1);

    const escalated = await monitor(minutesAfter(t, 16));
    expect(escalated.escalated).toHaveLength(1);
    expect(receiver.messages).toHaveLength(2);
    expect(receiver.messages[1]).toMatch(/ESCALATED \(D10-06\) — unacknowledged for 16 min/);
    const alert = await prisma().alert.findFirstOrThrow();
    expect(alert).toMatchObject({ escalated: true, status: "open" });
    expect(alert.openNotifiedAt).not.toBeNull();
    expect(alert.escalationNotifiedAt).not.toBeNull();

    await monitor(minutesAfter(t, 20));
    expect(receiver.messages).toHaveLength(2);
  });

  it("does not escalate an acknowledged alert, nor a warning", async () => {
    const t = new Date();
    await stuckUpload(t);
    await insertUpload(ws.id, { status: "completed", staged_rows: 20_000, completed_at: t }); // staging warning
    await monitor(t);
    expect(receiver.messages).toHaveLength(2);
    const stuck = await prisma().alert.findFirstOrThrow({ where: { signal: "stuck_upload" } });
    await acknowledgeAlert(pool(), oncall, stuck.id, { now: minutesAfter(t, 3) });
    const later = await monitor(minutesAfter(t, 30));
    expect(later.escalated).toHaveLength(0);
    expect(receiver.messages).toHaveLength(2);
  });

  it("a dead webhook opens its breaker; the monitor and the parse worker carry on, and the messages go out once it is back", async () => {
    let clock = new Date();
    getBreaker("webhook", { config: { failureThreshold: 2, coolDownMs: 60_000 }, now: () => clock });
    const t = new Date();
    for (let i = 0; i < 3; i++) await stuckUpload(t);
    const dead = await closedPort();

    // One attempt per run while the receiver is down; the other messages wait, unsent.
    const first = await monitor(t, dead);
    expect(first.outcome).toBe("ok");
    expect(first.opened).toHaveLength(3);
    expect(first.notifications).toMatchObject({ sent: 0, failed: 1, deferred: 2 });
    expect(await prisma().alert.count({ where: { openNotifiedAt: null } })).toBe(3);
    await monitor(minutesAfter(t, 0.5), dead);
    expect((await prisma().circuitBreaker.findUniqueOrThrow({ where: { name: "webhook" } })).state).toBe("OPEN");

    const second = await monitor(minutesAfter(t, 1), dead);
    expect(second.outcome).toBe("ok");
    expect(second.notifications.skipped).toMatch(/webhook circuit breaker is OPEN/);
    // The monitor itself opened an alert for the breaker.
    expect(await prisma().alert.count({ where: { fingerprint: "breaker:webhook", status: "open" } })).toBe(1);

    // Ingestion is not held up by the webhook.
    const key = await apiKeyFor("acme");
    const created = await postUpload(api.url, key, fixture("meta.csv"));
    expect(created.status).toBe(201);
    const parsed = await runParse();
    expect(parsed.outcome).toBe("ok");
    expect((await prisma().upload.findUniqueOrThrow({ where: { id: created.body.id } })).status).toBe("staged");

    // The receiver is back and the cool-down is over: every unsent opening goes out exactly once.
    clock = minutesAfter(clock, 2);
    await monitor(minutesAfter(t, 2));
    expect(receiver.messages.filter((m) => m.includes("D10-10"))).toHaveLength(3);
    expect(receiver.messages.filter((m) => m.includes("breaker"))).toHaveLength(1);
    await monitor(minutesAfter(t, 3));
    expect(receiver.messages).toHaveLength(4);
  });
});

describe("people working an alert", () => {
  it("acknowledge, note and outcome are compare-and-set and audited", async () => {
    const t = new Date();
    await stuckUpload(t);
    await monitor(t, null);
    const { alerts } = await listAlerts(pool(), { status: "open" });
    expect(alerts).toHaveLength(1);
    const alert = alerts[0];
    expect(alert).toMatchObject({ scenario: "D10-10", ownerRole: "oncall", runbookUrl: "/runbooks/d8-stuck-upload", workspace: "acme" });

    const acked = await acknowledgeAlert(pool(), oncall, alert.id);
    expect(acked).toMatchObject({ status: "acknowledged", acknowledgedBy: "oncall@example.com" });
    await expect(acknowledgeAlert(pool(), sre, alert.id)).rejects.toMatchObject({ status: 409, message: expect.stringContaining("oncall@example.com") });

    await addAlertNote(pool(), oncall, alert.id, "Lease holder crashed; resuming.");
    await expect(addAlertNote(pool(), oncall, alert.id, "   ")).rejects.toMatchObject({ status: 400 });

    await expect(setAlertOutcome(pool(), oncall, alert.id, { outcome: "fixed", expectedVersion: alert.version })).rejects.toMatchObject({
      code: "STALE_ALERT",
    });
    const classified = await setAlertOutcome(pool(), oncall, alert.id, { outcome: "fixed", expectedVersion: acked.version });
    expect(classified).toMatchObject({ outcome: "fixed", outcomeBy: "oncall@example.com" });

    const detail = await getAlertOrThrow(pool(), alert.id);
    expect(detail.notes.map((n) => [n.author, n.body])).toEqual([["oncall@example.com", "Lease holder crashed; resuming."]]);
    const audit = await pool().query(`SELECT action, actor_email, outcome FROM audit_log WHERE target_id = $1 ORDER BY id`, [alert.id]);
    expect(audit.rows).toEqual([
      { action: "alert.acknowledge", actor_email: "oncall@example.com", outcome: "ok" },
      { action: "alert.note", actor_email: "oncall@example.com", outcome: "ok" },
      { action: "alert.outcome", actor_email: "oncall@example.com", outcome: "ok" },
    ]);
    await expect(getAlertOrThrow(pool(), "00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ status: 404 });
  });

  it("lists by status, owner role, scenario and workspace; tiles show what is red", async () => {
    const t = new Date();
    const other = await createWorkspace("globex");
    await stuckUpload(t);
    await insertUpload(other.id, { status: "completed", total_rows: 5, valid_rows: 1, completed_at: t });
    await monitor(t, null);
    expect((await listAlerts(pool(), { ownerRole: "oncall" })).alerts.map((a) => a.scenario)).toEqual(["D10-10"]);
    expect((await listAlerts(pool(), { scenario: "D10-03" })).alerts.map((a) => a.workspace)).toEqual(["globex"]);
    expect((await listAlerts(pool(), { workspace: "globex" })).alerts).toHaveLength(1);
    expect((await listAlerts(pool(), { workspace: other.id })).alerts).toHaveLength(1);
    const list = await listAlerts(pool(), { status: "resolved" });
    expect(list.alerts).toHaveLength(0);
    expect(list.counts).toEqual({ open: 2, acknowledged: 0, resolved: 0 });
    const tiles = await signalTiles(pool());
    expect(tiles.find((x) => x.signal === "ledger_mismatch")).toMatchObject({ active: 1, severity: "critical" });
    expect(tiles.find((x) => x.signal === "freshness")).toMatchObject({ active: 0, severity: null });
  });
});

describe("automatic drain (D10-06 hard stop)", () => {
  async function pageAtTen(t: Date, spread?: { id: string }) {
    if (spread) {
      // 2 of 11 failed (18 %: page), half of the failures in each workspace.
      await insertOutcomes(ws.id, minutesAfter(t, -20), { completed: 5, failed: 1 });
      await insertOutcomes(spread.id, minutesAfter(t, -20), { completed: 4, failed: 1 });
    } else {
      await insertOutcomes(ws.id, minutesAfter(t, -20), { completed: 9, failed: 2 }); // 18 %: page
    }
    await monitor(t, null);
    return prisma().alert.findFirstOrThrow({ where: { fingerprint: "error_rate" } });
  }

  it("drains ingestion itself when no one workspace explains the rising error rate, audited as the system with each workspace's figures", async () => {
    const t = new Date();
    const globex = await createWorkspace("globex");
    const page = await pageAtTen(t, globex);
    expect(page.severity).toBe("page");
    await insertOutcomes(ws.id, minutesAfter(t, -10), { completed: 0, failed: 2 });
    await insertOutcomes(globex.id, minutesAfter(t, -10), { completed: 0, failed: 2 }); // 6 of 15: 40 %, rising, 3 and 3
    const run = await monitor(minutesAfter(t, 16), null);
    expect(run.drain).toMatchObject({ drained: true, scope: "global", alertId: page.id });

    const mode = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } });
    expect(mode.value).toEqual({ mode: "draining" });
    expect(mode).toMatchObject({ setBy: "system", incidentId: `alert:${page.id}` });
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "controls.drain" } });
    expect(audit).toMatchObject({ actorEmail: "system", outcome: "ok", targetId: "mode", incidentId: `alert:${page.id}` });
    expect(audit.reason).toContain(page.id);
    expect(audit.reason).toMatch(/18\.2 % to 40\.0 %/);
    expect(audit.reason).toContain("acme 3/8 failed (50.0 % of failures)");
    expect(audit.reason).toContain("globex 3/7 failed (50.0 % of failures)");
    expect(audit.before).toEqual({ mode: "running" });
    expect(await prisma().workspace.count({ where: { paused: true } })).toBe(0);
    // The system's own change is accountable: no D10-05 alert for it.
    expect(await prisma().alert.count({ where: { signal: "kill_switch_unaccountable" } })).toBe(0);
    expect((await getAlertOrThrow(pool(), page.id)).notes[0].author).toBe("system");
  });

  it("pauses only the workspace whose failures drive the error rate, and the others keep uploading", async () => {
    const t = new Date();
    const globex = await createWorkspace("globex");
    await insertOutcomes(ws.id, minutesAfter(t, -20), { completed: 4, failed: 2 });
    await insertOutcomes(globex.id, minutesAfter(t, -20), { completed: 5, failed: 0 }); // 2 of 11: page
    await monitor(t, null);
    const page = await prisma().alert.findFirstOrThrow({ where: { fingerprint: "error_rate" } });
    await insertOutcomes(ws.id, minutesAfter(t, -10), { completed: 0, failed: 4 }); // acme 6/10, globex 0/5: 40 %, rising
    const run = await monitor(minutesAfter(t, 16), null);
    expect(run.drain).toMatchObject({ drained: true, scope: "workspace", workspaces: ["acme"], alertId: page.id });

    expect((await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).value).toEqual({ mode: "running" });
    expect(await prisma().workspace.findUniqueOrThrow({ where: { slug: "acme" } })).toMatchObject({
      paused: true,
      pausedBy: "system",
      pauseIncidentId: `alert:${page.id}`,
    });
    expect((await prisma().workspace.findUniqueOrThrow({ where: { slug: "globex" } })).paused).toBe(false);
    const audits = await prisma().auditLog.findMany({ where: { action: { in: ["controls.workspace_pause", "controls.drain"] } } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      action: "controls.workspace_pause",
      actorEmail: "system",
      actorRoles: ["system"],
      targetId: "acme",
      incidentId: `alert:${page.id}`,
      outcome: "ok",
    });
    expect(audits[0].reason).toMatch(/18\.2 % to 40\.0 %/);
    expect(audits[0].reason).toContain("workspace acme had 6 of 10 uploads fail, 100.0 % of the failures");
    expect(audits[0].reason).toContain("acme 6/10 failed (100.0 % of failures), globex 0/5 failed (0.0 % of failures)");
    expect(await prisma().alert.count({ where: { signal: "kill_switch_unaccountable" } })).toBe(0);

    // Over HTTP: the culprit is refused, the other tenant is not.
    const acmeUpload = await postUpload(api.url, await apiKeyFor("acme"), fixture("meta.csv"));
    expect(acmeUpload.status).toBe(503);
    expect(acmeUpload.body.error.code).toBe("WORKSPACE_PAUSED");
    expect((await postUpload(api.url, await apiKeyFor("globex"), fixture("meta.csv"), { workspace_id: "globex", platform: "meta" })).status).toBe(201);

    // The next run finds the culprit paused already: no second pause, no global drain.
    expect((await monitor(minutesAfter(t, 17), null)).drain).toMatchObject({ drained: false, why: expect.stringMatching(/already paused/) });
    expect(await prisma().auditLog.count({ where: { action: { in: ["controls.workspace_pause", "controls.drain"] } } })).toBe(1);
  });

  it("picks as culprits the workspaces that explain most failures, never every failing one", () => {
    const f = (slug: string, failed: number, total: number) => ({ workspaceId: slug, slug, paused: false, failed, total, shareOfFailures: 0 });
    const withShares = (rows: ReturnType<typeof f>[]) => {
      const all = rows.reduce((n, r) => n + r.failed, 0);
      return rows.map((r) => ({ ...r, shareOfFailures: r.failed / all }));
    };
    const slugs = (rows: ReturnType<typeof f>[] | null) => rows?.map((r) => r.slug) ?? null;
    // One tenant at 8/10, two healthy ones: pause it alone.
    expect(slugs(pickCulprits(withShares([f("a", 8, 10), f("b", 1, 20), f("c", 0, 20)]), 0.1))).toEqual(["a"]);
    // The top tenant explains most (60 %), a second one is needed to bring the rest below 10 %, a third is healthy.
    expect(slugs(pickCulprits(withShares([f("a", 6, 10), f("b", 3, 5), f("c", 1, 20)]), 0.1))).toEqual(["a", "b"]);
    // Nobody explains most: global.
    expect(pickCulprits(withShares([f("a", 3, 10), f("b", 3, 10)]), 0.1)).toBeNull();
    // It would take every failing tenant: global.
    expect(pickCulprits(withShares([f("a", 6, 10), f("b", 4, 10)]), 0.1)).toBeNull();
  });

  it("does not drain when the page was acknowledged, when the rate is not rising, or over an operator's halt", async () => {
    const t = new Date();
    const page = await pageAtTen(t);
    // Not rising.
    expect((await monitor(minutesAfter(t, 16), null)).drain).toMatchObject({ drained: false, why: "error rate not rising" });
    // Rising but acknowledged.
    await acknowledgeAlert(pool(), oncall, page.id);
    await insertOutcomes(ws.id, minutesAfter(t, -10), { completed: 0, failed: 4 });
    expect((await monitor(minutesAfter(t, 17), null)).drain).toMatchObject({ drained: false, why: "no page left unacknowledged" });
    // Another page left unacknowledged, but an operator has halted: their word sticks.
    await stuckUpload(minutesAfter(t, 17));
    await monitor(minutesAfter(t, 18), null);
    await setMode(pool(), sre, { mode: "halted", reason: "P1", incidentId: "INC-7", expectedVersion: await modeVersion() });
    expect((await monitor(minutesAfter(t, 35), null)).drain).toMatchObject({ drained: false, why: expect.stringMatching(/not running/) });
    expect((await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).value).toMatchObject({ mode: "halted" });
  });
});

describe("partial promotions for the Support Lead (D10-02)", () => {
  it("lists campaigns, dates, invalid records by rule with samples and a client summary; acknowledging resolves the alert", async () => {
    const key = await apiKeyFor("acme");
    const created = await postUpload(api.url, key, fixture("tiktok.csv"), { workspace_id: "acme", platform: "tiktok" }, "tiktok-march.csv");
    await drainPipeline();
    const id = created.body.id as string;
    expect((await prisma().upload.findUniqueOrThrow({ where: { id } })).status).toBe("partial");
    await monitor(new Date(), null);

    const [partial] = await listPartialUploads(pool(), { review: "pending" });
    expect(partial).toMatchObject({
      uploadId: id,
      workspace: { slug: "acme" },
      platform: "tiktok",
      invalidRows: 5,
      promotedRows: 3,
      rerunBlocked: true,
      campaignsFrom: "staging",
    });
    expect(partial.campaigns.length).toBeGreaterThan(0);
    expect(partial.campaigns.reduce((n, c) => n + c.rows, 0)).toBe(3);
    expect(partial.dates.first).toMatch(/^2024-03-/);
    expect(partial.invalidByRule.reduce((n, r) => n + r.count, 0)).toBe(5);
    expect(partial.invalidByRule.find((r) => r.rule === "spend_negative")?.samples[0]).toMatchObject({ lineNo: 3 });
    expect(partial.summary).toContain('Upload "tiktok-march.csv" (TikTok) for acme');
    expect(partial.summary).toContain("Loaded: 3 of 8 data rows");
    expect(partial.summary).toMatch(/1 × spend negative — e\.g\. line 3/);
    expect(partial.summary).toContain("Spring_Launch_TT (1790000000000001): 1 of 2 rows missing, date 2024-03-02");
    expect(partial.alert).toMatchObject({ status: "open" });

    await addPartialNote(pool(), support, id, "Drafting the client email.");
    await acknowledgePartial(pool(), support, id, { note: "Sent to client, ticket 42." });
    await expect(acknowledgePartial(pool(), support, id, { note: "again" })).rejects.toMatchObject({ code: "ALREADY_ACKNOWLEDGED" });
    const [reviewed] = await listPartialUploads(pool(), { review: "reviewed" });
    expect(reviewed.review).toMatchObject({ acknowledgedBy: "support@example.com", note: "Sent to client, ticket 42." });
    expect(reviewed.alert?.status).toBe("acknowledged");
    expect(reviewed.notes.map((n) => n.body)).toEqual(["Drafting the client email.", "Partial acknowledged: Sent to client, ticket 42."]);

    await monitor(new Date(), null);
    expect((await prisma().alert.findFirstOrThrow({ where: { fingerprint: `partial:${id}` } })).status).toBe("resolved");
    // The upload's re-run stays blocked and its staging rows are kept.
    expect(await prisma().upload.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "partial", rerunBlocked: true, stagedRows: 3 });
    expect(
      await pool()
        .query(`SELECT 1 FROM audit_log WHERE action = 'partial.acknowledge' AND target_id = $1`, [id])
        .then((r) => r.rowCount),
    ).toBe(1);
  });

  it("refuses to acknowledge an upload that is not partial", async () => {
    const done = await insertUpload(ws.id, { status: "completed" });
    await expect(acknowledgePartial(pool(), support, done.id, { note: "n/a" })).rejects.toMatchObject({ code: "NOT_PARTIAL" });
  });
});
