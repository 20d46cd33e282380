import { beforeEach, describe, expect, it } from "vitest";
import { CircuitBreaker } from "@/lib/breakers/circuit-breaker";
import { breakerConfigSchema } from "@/lib/breakers/breaker-state";
import { resetBreakers } from "@/lib/breakers/registry";
import { acknowledgePartial } from "@/lib/alerts/partials";
import { recordAudit } from "@/lib/audit/record-audit";
import { setMode } from "@/lib/controls/change-control";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import type { SignalConfigInput } from "./config";
import { daysBehind } from "./readings";
import { SPEND_DELTA_SQL } from "./evaluate-signals";
import { runMonitor } from "@/lib/workers/run-monitor";
import { insertMetric, insertOutcomes, insertUpload, insertWorkerRun, minutesAfter } from "@/lib/testing/signal-fixtures";

const sre = { id: "00000000-0000-0000-0000-000000000001", email: "sre@example.com", roles: ["sre_lead" as const] };
const support = { id: "00000000-0000-0000-0000-000000000002", email: "support@example.com", roles: ["support_lead" as const] };

let ws: { id: string };

beforeEach(async () => {
  await resetDatabase();
  resetBreakers();
  ws = await createWorkspace("acme");
});

const monitor = (now: Date, config?: SignalConfigInput) => runMonitor(pool(), { now, config, webhookUrl: null });

/** The alerts (any status) whose fingerprint starts with `prefix`. */
async function alerts(prefix: string) {
  return prisma().alert.findMany({ where: { fingerprint: { startsWith: prefix } }, orderBy: { openedAt: "asc" } });
}

async function expectOpen(prefix: string, want: { scenario: string; ownerRole: string; severity?: string; runbook?: string }) {
  const found = await alerts(prefix);
  expect(found, `one alert for ${prefix}`).toHaveLength(1);
  expect(found[0]).toMatchObject({ status: "open", resolvedAt: null, ...want });
  return found[0];
}

async function expectResolved(prefix: string) {
  const found = await alerts(prefix);
  expect(found.length).toBeGreaterThan(0);
  expect(found.every((a) => a.status === "resolved" && a.resolvedBy === "system" && a.activeFingerprint === null)).toBe(true);
}

const modeVersion = async () => (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).version;

describe("error rate (D8 §3.4)", () => {
  it("warns at 5 %, pages at 10 %, advises rollback at 20 %, and resolves when the window has passed", async () => {
    const t = new Date();
    await insertOutcomes(ws.id, minutesAfter(t, -10), { completed: 19, failed: 1 });
    await monitor(t);
    await expectOpen("error_rate", { scenario: "D8", ownerRole: "oncall", severity: "warning", runbook: "d8-error-rate" });

    await insertOutcomes(ws.id, minutesAfter(t, -5), { completed: 0, failed: 2 }); // 3 of 22
    await monitor(t);
    const paged = await expectOpen("error_rate", { scenario: "D8", ownerRole: "oncall", severity: "page" });
    expect(paged.value).toBeCloseTo(3 / 22);

    await insertOutcomes(ws.id, minutesAfter(t, -5), { completed: 0, failed: 3 }); // 6 of 25
    await monitor(t);
    const critical = await expectOpen("error_rate", { severity: "critical", scenario: "D8", ownerRole: "oncall" });
    expect(critical.detail).toMatch(/roll back/);
    expect(critical.id).toBe(paged.id); // the same alert, not a new one per level

    await monitor(minutesAfter(t, 61));
    await expectResolved("error_rate");
  });

  it("is not a rate below the minimum number of uploads", async () => {
    const t = new Date();
    await insertOutcomes(ws.id, minutesAfter(t, -1), { completed: 2, failed: 2 });
    await monitor(t);
    expect(await alerts("error_rate")).toHaveLength(0);
  });
});

describe("circuit breaker open (D8)", () => {
  it("opens while a breaker is not CLOSED and resolves once it closes", async () => {
    let t = new Date();
    const breaker = new CircuitBreaker("webhook", breakerConfigSchema.parse({ failureThreshold: 2, coolDownMs: 1000 }), pool, () => t);
    for (let i = 0; i < 2; i++) await breaker.run(() => Promise.reject(new Error("ECONNREFUSED"))).catch(() => {});
    await monitor(t);
    const alert = await expectOpen("breaker:webhook", { scenario: "D8", ownerRole: "oncall", severity: "page", runbook: "d8-circuit-breaker" });
    expect(alert.detail).toContain("ECONNREFUSED");
    t = minutesAfter(t, 1);
    await breaker.run(async () => "probe ok");
    await monitor(t);
    await expectResolved("breaker:webhook");
  });
});

describe("stuck upload (D10-10)", () => {
  it("opens after 30 minutes in one state (injected clock) and resolves when the upload moves on", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, { status: "processing", created_at: minutesAfter(t, -1), started_at: t, completed_at: null });
    await monitor(minutesAfter(t, 29));
    expect(await alerts("stuck:")).toHaveLength(0);
    await monitor(minutesAfter(t, 31));
    const alert = await expectOpen(`stuck:${upload.id}`, { scenario: "D10-10", ownerRole: "oncall", severity: "page", runbook: "d8-stuck-upload" });
    expect(alert).toMatchObject({ uploadId: upload.id, workspaceId: ws.id });
    expect(alert.detail).toMatch(/never force-promote/);

    await pool().query(`UPDATE uploads SET status = 'failed', failed_at = now() WHERE id = $1`, [upload.id]);
    await monitor(minutesAfter(t, 32));
    await expectResolved(`stuck:${upload.id}`);
  });

  it("leaves alone the uploads of a workspace an operator paused", async () => {
    const t = new Date();
    await pool().query(`UPDATE workspaces SET paused = true WHERE id = $1`, [ws.id]);
    await insertUpload(ws.id, { status: "pending", created_at: t });
    await monitor(minutesAfter(t, 45));
    expect(await alerts("stuck:")).toHaveLength(0);
  });
});

describe("staging backlog (D10-08)", () => {
  it("warns over 10 000 rows, turns critical over 500 000 rows, and resolves when staging is cleaned", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, { status: "completed", staged_rows: 20_000, created_at: t, completed_at: t });
    await monitor(t);
    await expectOpen("staging_backlog", { scenario: "D10-08", ownerRole: "sre_lead", severity: "warning", runbook: "d10-08-staging-bloat" });
    await pool().query(`UPDATE uploads SET staged_rows = 600000 WHERE id = $1`, [upload.id]);
    await monitor(t);
    await expectOpen("staging_backlog", { scenario: "D10-08", ownerRole: "sre_lead", severity: "critical" });
    await pool().query(`UPDATE uploads SET staged_rows = 0 WHERE id = $1`, [upload.id]);
    await monitor(t);
    await expectResolved("staging_backlog");
  });

  it("is critical when the oldest staging rows are more than 7 days old, however few", async () => {
    const t = new Date();
    await insertUpload(ws.id, { status: "completed", staged_rows: 5, created_at: minutesAfter(t, -8 * 24 * 60), completed_at: t });
    await monitor(t);
    const alert = await expectOpen("staging_backlog", { scenario: "D10-08", ownerRole: "sre_lead", severity: "critical" });
    expect(alert.detail).toMatch(/> 7 days/);
  });
});

describe("queue depth and parse latency (D10-07)", () => {
  it("opens when more uploads wait than the concurrency limit and resolves when they are done", async () => {
    const t = new Date();
    const waiting = [];
    for (let i = 0; i < 4; i++) waiting.push(await insertUpload(ws.id, { status: "pending", created_at: t }));
    await monitor(t, { queue: { depthLimit: 3 } });
    const alert = await expectOpen("queue_pressure", { scenario: "D10-07", ownerRole: "oncall", runbook: "d10-07-upload-spike" });
    expect(alert.value).toBe(4);
    await pool().query(`UPDATE uploads SET status = 'failed' WHERE id = $1`, [waiting[0].id]);
    await monitor(t, { queue: { depthLimit: 3 } });
    await expectResolved("queue_pressure");
  });

  it("opens when parsing took longer than 5 minutes", async () => {
    const t = new Date();
    const slow = await insertUpload(ws.id, {
      status: "staged",
      created_at: minutesAfter(t, -9),
      started_at: minutesAfter(t, -8),
      staged_at: minutesAfter(t, -2),
    });
    await monitor(t);
    const alert = await expectOpen("queue_pressure", { scenario: "D10-07", ownerRole: "oncall" });
    expect(alert.detail).toContain(slow.id);
    await monitor(minutesAfter(t, 20)); // the slow parse is out of the look-back
    await expectResolved("queue_pressure");
  });
});

describe("row ledger mismatch (D10-03)", () => {
  it("opens for an upload whose total is not valid + invalid + ignored, and resolves once the ledger adds up", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, {
      status: "completed",
      total_rows: 10,
      valid_rows: 5,
      invalid_rows: 2,
      ignored_rows: 1,
      promoted_rows: 5,
      completed_at: t,
    });
    await monitor(t);
    const alert = await expectOpen(`ledger:${upload.id}`, {
      scenario: "D10-03",
      ownerRole: "ingestion_owner",
      severity: "critical",
      runbook: "d10-03-skipped-rows",
    });
    expect(alert.detail).toContain("total 10 ≠ valid 5 + invalid 2 + ignored 1");
    await pool().query(`UPDATE uploads SET ignored_rows = 3 WHERE id = $1`, [upload.id]);
    await monitor(t);
    await expectResolved(`ledger:${upload.id}`);
  });

  it("opens for a completed upload that promoted fewer rows than were valid", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, { status: "completed", total_rows: 10, valid_rows: 10, promoted_rows: 7, completed_at: t });
    await monitor(t);
    const alert = await expectOpen(`ledger:${upload.id}`, { scenario: "D10-03", ownerRole: "ingestion_owner" });
    expect(alert.detail).toContain("7 promoted of 10 valid");
  });
});

describe("partial promotion (D10-02)", () => {
  it("opens for the Support Lead and resolves once the partial upload is acknowledged", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, {
      status: "partial",
      total_rows: 12,
      valid_rows: 10,
      invalid_rows: 2,
      promoted_rows: 10,
      staged_rows: 10,
      rerun_blocked: true,
      completed_at: t,
    });
    await pool().query(
      `INSERT INTO row_issues (upload_id, line_no, kind, rule, message) VALUES ($1, 3, 'invalid', 'date_invalid', 'bad date'), ($1, 7, 'invalid', 'spend_negative', 'negative')`,
      [upload.id],
    );
    await monitor(t);
    const alert = await expectOpen(`partial:${upload.id}`, {
      scenario: "D10-02",
      ownerRole: "support_lead",
      severity: "warning",
      runbook: "d10-02-partial-promotion",
    });
    expect(alert.detail).toMatch(/date_invalid ×1/);
    expect(alert.detail).toMatch(/re-runs are blocked/);
    await acknowledgePartial(pool(), support, upload.id, { note: "Client told on ticket 42" });
    expect((await alerts(`partial:${upload.id}`))[0].status).toBe("acknowledged");
    await monitor(t);
    await expectResolved(`partial:${upload.id}`);
  });
});

describe("day-over-day spend delta (D10-01)", () => {
  // The promotion records the day totals it saw, and the signal re-reads only the days that moved; an
  // upload without that record has the days of its span read (the parser records its first and last
  // date), or, without a span either, its rows looked up.
  it.each(["recorded", "span", "rows"] as const)(
    "opens when a recent upload moved a day's spend more than ±30 % and resolves when the data is corrected (%s)",
    async (found) => {
      const t = new Date();
      const before = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -3 * 24 * 60) });
      const recent = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -30) });
      if (found !== "rows") await pool().query(`UPDATE uploads SET first_date = '2030-01-02', last_date = '2030-01-02' WHERE id = $1`, [recent.id]);
      if (found === "recorded")
        await recordDayTotals(recent.id, [
          ["2030-01-01", 100, false],
          ["2030-01-02", 200, true],
        ]);
      await insertMetric({ workspaceId: ws.id, date: "2030-01-01", spend: 100, uploadId: before.id });
      await insertMetric({ workspaceId: ws.id, date: "2030-01-02", spend: 200, uploadId: recent.id });
      await monitor(t);
      const alert = await expectOpen(`spend_delta:${ws.id}:meta`, {
        scenario: "D10-01",
        ownerRole: "ingestion_owner",
        severity: "warning",
        runbook: "d10-01-metric-delta",
      });
      expect(alert.value).toBeCloseTo(1);
      expect((alert.data as { uploads: string[] }).uploads).toEqual([recent.id]);

      await insertMetric({ workspaceId: ws.id, date: "2030-01-02", spend: 110, uploadId: recent.id });
      await monitor(t);
      await expectResolved(`spend_delta:${ws.id}:meta`);
    },
  );

  it("compares the recorded totals at its own threshold, and does not read again a day the promotion saw as steady", async () => {
    const t = new Date();
    const before = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -3 * 24 * 60) });
    const recent = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -30) });
    await pool().query(`UPDATE uploads SET first_date = '2030-01-02', last_date = '2030-01-03' WHERE id = $1`, [recent.id]);
    // The promotion saw 01-02 +20 % and 01-03 steady; production now says 01-03 doubled (written by hand), which is not re-read.
    await recordDayTotals(recent.id, [
      ["2030-01-01", 100, false],
      ["2030-01-02", 120, true],
      ["2030-01-03", 120, true],
    ]);
    await insertMetric({ workspaceId: ws.id, date: "2030-01-01", spend: 100, uploadId: before.id });
    await insertMetric({ workspaceId: ws.id, date: "2030-01-02", spend: 120, uploadId: recent.id });
    await insertMetric({ workspaceId: ws.id, date: "2030-01-03", spend: 240, uploadId: recent.id });
    await monitor(t);
    expect(await alerts(`spend_delta:${ws.id}:meta`)).toEqual([]);
    // At a 10 % threshold the +20 % of 01-02 counts.
    await monitor(t, { spendDelta: { threshold: 0.1 } });
    const alert = await expectOpen(`spend_delta:${ws.id}:meta`, { scenario: "D10-01", ownerRole: "ingestion_owner" });
    expect(alert.title).toMatch(/2030-01-02/);
  });
});

describe("spend delta on a large production table (D10-01)", () => {
  it("looks up only the days that moved, by index, however many metrics the table holds", async () => {
    const t = new Date();
    const older = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -3 * 24 * 60) });
    const recent = await insertUpload(ws.id, { status: "completed", completed_at: minutesAfter(t, -30) });
    await pool().query(`UPDATE uploads SET first_date = '2030-01-02', last_date = '2030-01-02' WHERE id = $1`, [recent.id]);
    await recordDayTotals(recent.id, [
      ["2030-01-01", 100, false],
      ["2030-01-02", 200, true],
    ]);
    await insertMetric({ workspaceId: ws.id, date: "2030-01-01", spend: 100, uploadId: older.id });
    await insertMetric({ workspaceId: ws.id, date: "2030-01-02", spend: 200, uploadId: recent.id });
    // 100 000 metrics of other days: read whole, they are about 1 500 blocks.
    await pool().query(
      `INSERT INTO metrics (workspace_id, platform, date, campaign_id, campaign_name, spend, impressions, clicks, conversions, currency, upload_id)
       SELECT $1, 'meta', DATE '2020-01-01' + (i / 100), 'c' || (i % 100), 'campaign', 1, 100, 10, 1, 'USD', $2 FROM generate_series(0, 99999) i`,
      [ws.id, older.id],
    );
    await pool().query(`ANALYZE metrics`);
    const { rows } = await pool().query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${SPEND_DELTA_SQL}`, [t, 24, 0.3]);
    type Plan = {
      "Node Type": string;
      "Relation Name"?: string;
      "Actual Rows": number;
      "Shared Hit Blocks": number;
      "Shared Read Blocks": number;
      Plans?: Plan[];
    };
    const nodes = (plan: Plan): Plan[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
    const plan = (rows[0]["QUERY PLAN"] as { Plan: Plan }[])[0].Plan;
    const scanned = nodes(plan).filter((n) => n["Relation Name"] === "metrics" && n["Node Type"] === "Seq Scan" && n["Actual Rows"] > 10);
    expect(scanned, "metrics read whole").toEqual([]);
    expect(plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]).toBeLessThan(200);
    await monitor(t);
    expect((await expectOpen(`spend_delta:${ws.id}:meta`, { scenario: "D10-01", ownerRole: "ingestion_owner" })).title).toMatch(/2030-01-02/);
  });
});

async function recordDayTotals(uploadId: string, days: [string, number, boolean][]) {
  await pool().query(`INSERT INTO promotion_day_totals (upload_id, date, total, written) SELECT $1, * FROM unnest($2::date[], $3::numeric[], $4::boolean[])`, [
    uploadId,
    days.map((d) => d[0]),
    days.map((d) => d[1]),
    days.map((d) => d[2]),
  ]);
}

describe("data freshness per workspace × platform (WT-06)", () => {
  const monday = new Date("2030-01-07T10:00:00Z");

  it("opens when the newest date is older than the expected lag, resolves when newer data lands", async () => {
    const upload = await insertUpload(ws.id, { status: "completed", completed_at: monday });
    await insertMetric({ workspaceId: ws.id, date: "2030-01-02", spend: 1, uploadId: upload.id });
    await monitor(monday);
    const alert = await expectOpen(`freshness:${ws.id}:meta`, { scenario: "WT-06", ownerRole: "oncall", severity: "page", runbook: "wt-06-freshness" });
    expect(alert.value).toBe(5);
    // google has no data at all for this workspace: not a stale pair.
    expect(await alerts(`freshness:${ws.id}:google`)).toHaveLength(0);
    await insertMetric({ workspaceId: ws.id, date: "2030-01-06", spend: 1, uploadId: upload.id });
    await monitor(monday);
    await expectResolved(`freshness:${ws.id}:meta`);
  });

  it("does not count the weekend for a workspace that skips weekends", async () => {
    const upload = await insertUpload(ws.id, { status: "completed", completed_at: monday });
    await insertMetric({ workspaceId: ws.id, date: "2030-01-04", spend: 1, uploadId: upload.id }); // Friday
    await monitor(monday);
    expect((await alerts("freshness:")).map((a) => a.status)).toEqual(["open"]);
    await pool().query(`UPDATE workspaces SET skip_weekends = true WHERE id = $1`, [ws.id]);
    await monitor(monday);
    await expectResolved("freshness:");
  });

  it("counts business days", () => {
    expect(daysBehind("2030-01-04", "2030-01-07", true)).toBe(1); // Fri → Mon
    expect(daysBehind("2030-01-04", "2030-01-07", false)).toBe(3);
    expect(daysBehind("2030-01-04", "2030-01-15", true)).toBe(7);
    expect(daysBehind("2030-01-07", "2030-01-07", true)).toBe(0);
  });
});

describe("worker duration anomaly (WT-06)", () => {
  it("opens for a run that finished in a tenth of its usual time with a backlog, and resolves after a normal run", async () => {
    const t = new Date();
    for (let i = 0; i < 10; i++)
      await insertWorkerRun({ worker: "parse", startedAt: minutesAfter(t, -60 + i * 4), durationMs: 10_000, items: 1000, backlog: 5 });
    await insertWorkerRun({ worker: "parse", startedAt: minutesAfter(t, -2), durationMs: 1_000, items: 100, backlog: 5 });
    await monitor(t);
    const alert = await expectOpen("worker_anomaly:parse", { scenario: "WT-06", ownerRole: "oncall", runbook: "wt-06-worker-anomaly" });
    expect(alert.value).toBeCloseTo(0.1);
    await insertWorkerRun({ worker: "parse", startedAt: minutesAfter(t, -1), durationMs: 9_500, items: 1000, backlog: 5 });
    await monitor(t);
    await expectResolved("worker_anomaly:parse");
  });

  it("opens for a successful run that did nothing while claimable work waited", async () => {
    const t = new Date();
    const waiting = await insertUpload(ws.id, { status: "staged", created_at: minutesAfter(t, -3), staged_at: minutesAfter(t, -3) });
    await insertWorkerRun({ worker: "promote", startedAt: minutesAfter(t, -1), durationMs: 20, items: 0, backlog: 1 });
    await monitor(t);
    const alert = await expectOpen("worker_anomaly:promote", { scenario: "WT-06", ownerRole: "oncall" });
    expect(alert.title).toMatch(/did nothing while 1 upload/);
    await pool().query(`UPDATE uploads SET status = 'completed', completed_at = now() WHERE id = $1`, [waiting.id]);
    await monitor(t);
    await expectResolved("worker_anomaly:promote");
  });

  it("does not count work that could not be claimed (paused workspace)", async () => {
    const t = new Date();
    await pool().query(`UPDATE workspaces SET paused = true WHERE id = $1`, [ws.id]);
    await insertUpload(ws.id, { status: "pending", created_at: minutesAfter(t, -3) });
    await insertWorkerRun({ worker: "parse", startedAt: minutesAfter(t, -1), durationMs: 20, items: 0, backlog: 1 });
    await monitor(t);
    expect(await alerts("worker_anomaly")).toHaveLength(0);
  });
});

describe("transitions after a halt (D10-09)", () => {
  it("opens when a worker transitions an upload after the halt took effect, and resolves when ingestion resumes", async () => {
    const upload = await insertUpload(ws.id, { status: "processing" });
    await setMode(pool(), sre, { mode: "halted", reason: "incident", incidentId: "INC-9", expectedVersion: await modeVersion() });
    const haltedAt = (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).setAt;
    // An operator's transition after the halt is fine; a worker's is the violation.
    await pool().query(
      `INSERT INTO upload_events (upload_id, from_status, to_status, actor, created_at) VALUES ($1, 'processing', 'failed', 'sre@example.com', $2), ($1, 'processing', 'staged', 'worker:parse:host:1', $3)`,
      [upload.id, new Date(haltedAt.getTime() + 20_000), new Date(haltedAt.getTime() + 30_000)],
    );
    const now = minutesAfter(haltedAt, 1);
    await monitor(now);
    const alert = await expectOpen("halt_violation:mode", {
      scenario: "D10-09",
      ownerRole: "sre_lead",
      severity: "critical",
      runbook: "d10-09-kill-switch-not-applied",
    });
    expect(alert.value).toBe(1);
    expect(alert.detail).toContain("worker:parse:host:1");

    await setMode(pool(), sre, { mode: "running", reason: "fixed", incidentId: "INC-9", expectedVersion: await modeVersion() });
    await monitor(minutesAfter(now, 1));
    await expectResolved("halt_violation:mode");
  });

  it("ignores a transaction that was in flight when the halt committed", async () => {
    const upload = await insertUpload(ws.id, { status: "processing" });
    await setMode(pool(), sre, { mode: "halted", reason: "incident", incidentId: "INC-9", expectedVersion: await modeVersion() });
    const haltedAt = (await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "mode" } })).setAt;
    await pool().query(
      `INSERT INTO upload_events (upload_id, from_status, to_status, actor, created_at) VALUES ($1, 'processing', 'staged', 'worker:parse:x', $2)`,
      [upload.id, new Date(haltedAt.getTime() + 50)],
    );
    await monitor(minutesAfter(haltedAt, 1));
    expect(await alerts("halt_violation")).toHaveLength(0);
  });
});

describe("kill-switch change without incident ID (D10-05)", () => {
  it("opens for the refused attempt, names the person, and resolves after the look-back", async () => {
    await expect(setMode(pool(), sre, { mode: "draining", reason: "just because", incidentId: "", expectedVersion: await modeVersion() })).rejects.toThrow(
      /incident/i,
    );
    const now = new Date();
    await monitor(now);
    const alert = await expectOpen("kill_switch:sre@example.com", {
      scenario: "D10-05",
      ownerRole: "sre_lead",
      severity: "page",
      runbook: "d10-05-kill-switch-abuse",
    });
    expect(alert.detail).toMatch(/controls\.drain/);
    await monitor(minutesAfter(now, 61));
    await expectResolved("kill_switch:");
  });

  it("keys on the refusal's code, not its wording", async () => {
    const actor = { email: "reworded@example.com", roles: ["oncall"] };
    const refusal = (refusedCode: string, refusedReason: string) =>
      recordAudit(pool(), { actor, action: "controls.drain", targetType: "controls", targetId: "mode", outcome: "refused", refusedCode, refusedReason });
    await refusal("FORBIDDEN", "requires an incident commander");
    await monitor(new Date());
    expect(await alerts("kill_switch")).toHaveLength(0);
    await refusal("INCIDENT_ID_REQUIRED", "Bitte eine Vorgangsnummer angeben.");
    await monitor(new Date());
    await expectOpen("kill_switch:reworded@example.com", { scenario: "D10-05", ownerRole: "sre_lead", severity: "page" });
  });

  it("ignores accountable changes and the system's own", async () => {
    await setMode(pool(), sre, { mode: "draining", reason: "spike", incidentId: "INC-1", expectedVersion: await modeVersion() });
    await monitor(new Date());
    expect(await alerts("kill_switch")).toHaveLength(0);
  });
});

describe("the monitor as a whole", () => {
  it("a repeat of the same condition refreshes the one alert instead of opening another", async () => {
    const t = new Date();
    const upload = await insertUpload(ws.id, { status: "completed", total_rows: 3, valid_rows: 1 });
    const first = await monitor(t);
    const second = await monitor(minutesAfter(t, 1));
    expect(first.opened).toHaveLength(1);
    expect(second.opened).toHaveLength(0);
    expect(second.refreshed).toBeGreaterThanOrEqual(1);
    const found = await alerts(`ledger:${upload.id}`);
    expect(found).toHaveLength(1);
    expect(found[0].lastSeenAt.getTime()).toBe(minutesAfter(t, 1).getTime());
  });

  it("runs on one instance at a time", async () => {
    const other = await pool().connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('ingestion.monitor'))`);
      await insertUpload(ws.id, { status: "completed", total_rows: 3, valid_rows: 1 });
      expect(await monitor(new Date())).toMatchObject({ outcome: "skipped", reason: expect.stringMatching(/another instance/) });
      expect(await prisma().alert.count()).toBe(0);
    } finally {
      await other.query(`SELECT pg_advisory_unlock_all()`);
      other.release();
    }
    expect((await monitor(new Date())).opened).toHaveLength(1);
  });

  it("reports a clean run with nothing firing on a healthy system", async () => {
    const result = await monitor(new Date());
    expect(result).toMatchObject({ outcome: "ok", items: 0, errors: [] });
  });
});
