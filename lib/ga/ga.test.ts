import { beforeEach, describe, expect, it } from "vitest";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { computeGaFigures } from "./compute-ga-figures";
import { gaWindow } from "./ga-window";
import { getGaSignoffOrThrow, hashFigures, prepareGaSignoff, recomputeGaSignoff, saveGaChecklist, signGaLine } from "./ga-signoffs";
import type { Actor } from "@/lib/auth/actor";
import type { Checklist } from "./ga.schema";

// The window 2026-03-01 … 2026-03-07 (UTC), looked at the day after it ended.
const LAST_DAY = "2026-03-07";
const NOW = new Date("2026-03-08T12:00:00Z");

const pm: Actor = { id: "00000000-0000-0000-0000-0000000000a1", email: "pm@example.com", name: "Pat PM", roles: ["pm"] };
const eng: Actor = { id: "00000000-0000-0000-0000-0000000000a2", email: "eng@example.com", name: "Eve Eng", roles: ["eng_lead"] };
const sre: Actor = { id: "00000000-0000-0000-0000-0000000000a3", email: "sre@example.com", name: "Sam SRE", roles: ["sre_lead"] };
const twoHats: Actor = { id: "00000000-0000-0000-0000-0000000000a4", email: "lead@example.com", roles: ["eng_lead", "sre_lead"] };
const allMet: Checklist = {
  clientFeedback: { met: true, note: "3 clients interviewed" },
  supportTickets: { met: true, note: "" },
  oncallBurden: { met: true, note: "" },
  documentation: { met: true, note: "" },
  runbookValidated: { met: true, note: "stuck-upload runbook run on INC-7" },
};

let workspaceId: string;
let seq = 0;

async function upload(createdAt: string, status: string, minutesToComplete?: number) {
  seq += 1;
  await pool().query(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, created_at, completed_at, failed_at)
     VALUES (gen_random_uuid(), $1, 'meta', 'api', $2, 10, $3, 'k', $4::"UploadStatus", $5::timestamptz,
             CASE WHEN $6::float8 IS NULL THEN NULL ELSE $5::timestamptz + $6::float8 * interval '1 minute' END,
             CASE WHEN $4 = 'failed' THEN $5::timestamptz + interval '1 minute' END)`,
    [workspaceId, `f${seq}.csv`, `sha-${seq}`, status, createdAt, minutesToComplete ?? null],
  );
}

async function uploads(n: number, day: string, status: string, minutes?: number) {
  for (let i = 0; i < n; i++) await upload(`${day}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00Z`, status, minutes);
}

async function audit(at: string, action: string, options: { actor?: string; roles?: string[]; outcome?: string; before?: unknown; after?: unknown } = {}) {
  await pool().query(
    `INSERT INTO audit_log (at, actor_email, actor_roles, action, target_type, outcome, before, after) VALUES ($1, $2, $3, $4, 'x', $5, $6, $7)`,
    [
      at,
      options.actor ?? "oncall@example.com",
      options.roles ?? ["oncall"],
      action,
      options.outcome ?? "ok",
      JSON.stringify(options.before ?? null),
      JSON.stringify(options.after ?? null),
    ],
  );
}

/**
 * A week of production, with the figures worked out by hand:
 * - uploads: 197 finished in 2 min, three in 9, 11 and 15 min, 2 failed, 1 in flight, plus failures just outside the window;
 * - readiness: every minute sampled except 20 missing, 15 of them not ready;
 * - one breaker trip (3 state changes) in the window, one before it;
 * - audit: 5 interventions by people among refusals, system actions, requests and forward rollouts.
 */
async function seedWeek() {
  await upload("2026-02-28T23:59:59Z", "failed");
  await upload("2026-03-08T00:00:00Z", "failed");
  await uploads(60, "2026-03-01", "completed", 2);
  await uploads(60, "2026-03-02", "completed", 2);
  await uploads(60, "2026-03-03", "completed", 2);
  await upload("2026-03-03T12:00:00Z", "failed");
  await uploads(15, "2026-03-04", "completed", 2);
  await uploads(2, "2026-03-04", "partial", 2);
  await upload("2026-03-05T01:00:00Z", "completed", 9);
  await upload("2026-03-05T02:00:00Z", "completed", 11);
  await upload("2026-03-05T03:00:00Z", "completed", 15);
  await upload("2026-03-05T04:00:00Z", "failed");
  await upload("2026-03-06T10:00:00Z", "processing");

  await pool().query(
    `INSERT INTO readiness_samples (minute, ok, failed_check, instance, checked_at)
     SELECT m, NOT (m >= '2026-03-02T10:00:00Z' AND m < '2026-03-02T10:15:00Z'),
            CASE WHEN m >= '2026-03-02T10:00:00Z' AND m < '2026-03-02T10:15:00Z' THEN 'database' END, 'test', m
       FROM generate_series('2026-02-28T23:00:00Z'::timestamptz, '2026-03-08T01:00:00Z'::timestamptz, interval '1 minute') AS m
      WHERE NOT (m >= '2026-03-04T00:00:00Z' AND m < '2026-03-04T00:20:00Z')
        AND NOT (m >= '2026-02-28T23:00:00Z' AND m < '2026-03-01T00:00:00Z' AND extract(minute FROM m) < 30)`,
  );

  await pool().query(`INSERT INTO circuit_breakers (name, state) VALUES ('worker.parse', 'CLOSED')`);
  await pool().query(
    `INSERT INTO circuit_breaker_events (breaker, from_state, to_state, reason, at) VALUES
       ('worker.parse', 'CLOSED', 'OPEN', 'before the window', '2026-02-28T20:00:00Z'),
       ('worker.parse', 'CLOSED', 'OPEN', 'database timeouts', '2026-03-05T04:00:00Z'),
       ('worker.parse', 'OPEN', 'HALF_OPEN', 'probe', '2026-03-05T04:01:00Z'),
       ('worker.parse', 'HALF_OPEN', 'CLOSED', 'probe ok', '2026-03-05T04:01:05Z')`,
  );

  await audit("2026-02-28T10:00:00Z", "controls.halt", { actor: "sre@example.com" });
  await audit("2026-03-03T09:00:00Z", "controls.drain");
  await audit("2026-03-03T09:30:00Z", "controls.resume");
  await audit("2026-03-04T09:00:00Z", "upload.force_fail");
  await audit("2026-03-04T09:01:00Z", "upload.force_fail", { outcome: "refused" });
  await audit("2026-03-05T09:00:00Z", "controls.drain", { actor: "system", roles: ["system"] });
  await audit("2026-03-05T10:00:00Z", "cleanup.request");
  await audit("2026-03-05T11:00:00Z", "cleanup.approve", { actor: "sre2@example.com", roles: ["sre_lead"] });
  await audit("2026-03-06T09:00:00Z", "controls.rollout", { actor: "owner@example.com", before: { phase: "P2" }, after: { phase: "P1" } });
  await audit("2026-03-06T10:00:00Z", "controls.rollout", { actor: "owner@example.com", before: { phase: "P1" }, after: { phase: "P2" } });
  await audit("2026-03-06T11:00:00Z", "alert.acknowledge");
  await audit("2026-03-06T12:00:00Z", "ga.sign", { actor: "pm@example.com", roles: ["pm"] });
}

beforeEach(async () => {
  await resetDatabase();
  seq = 0;
  workspaceId = (await createWorkspace("acme")).id;
});

describe("GA window", () => {
  it("is the 7 UTC days ending with the chosen day, never in the future", () => {
    expect(gaWindow(LAST_DAY, NOW)).toMatchObject({
      firstDay: "2026-03-01",
      lastDay: "2026-03-07",
      start: new Date("2026-03-01T00:00:00Z"),
      end: new Date("2026-03-08T00:00:00Z"),
    });
    expect(() => gaWindow("2026-03-09", NOW)).toThrow(/future/);
    expect(() => gaWindow("March 7", NOW)).toThrow(/YYYY-MM-DD/);
  });
});

describe("GA figures from a seeded week", () => {
  beforeEach(seedWeek);

  it("match the hand-computed values", async () => {
    const g = await computeGaFigures(pool(), { lastDay: LAST_DAY, now: NOW });
    const f = g.figures;
    // 2 failed ÷ 202 finished (197 + 3 completed, 2 partial, 2 failed); the one in flight and those outside the window do not count.
    expect(f.errorRate).toMatchObject({ value: 0.009901, status: "pass", display: "0.99 %" });
    // 200 finished uploads: the 198th fastest (nearest rank for p99) took 9 min — not the 15 min maximum.
    expect(f.p99Latency).toMatchObject({ value: 9, status: "pass", display: "9.0 min" });
    // 10 080 minutes; 20 without a sample and 15 not ready: 10 045 ÷ 10 080.
    expect(f.availability).toMatchObject({ value: 0.996528, status: "pass" });
    expect(f.availability.detail).toContain("10045 ready minutes of 10080");
    expect(f.availability.detail).toContain("15 minutes not ready; 20 minutes without a sample");
    // One trip inside the window (its HALF_OPEN and CLOSED changes are not trips); the earlier one is outside.
    expect(f.breakerEvents).toMatchObject({ value: 1, status: "fail" });
    expect(f.breakerEvents.detail).toContain("3 state changes");
    // drain, resume, force-fail, approved cleanup, rollout P2 → P1; not the refusal, the system's drain, the request, P1 → P2, ack or signing.
    expect(f.manualInterventions).toMatchObject({ value: 5, status: "fail" });
    expect(f.totalUploads).toMatchObject({ value: 202, status: "info" });
    expect(f.totalUploads.detail).toBe("203 uploads created in the window: 202 finished (198 completed, 2 partial, 2 failed), 1 in flight.");
    expect(g.allPass).toBe(false);
    expect(g.interventions.map((i) => i.action)).toEqual(["controls.drain", "controls.resume", "upload.force_fail", "cleanup.approve", "controls.rollout"]);
  });

  it("give a daily trend for each of the 7 days", async () => {
    const { daily } = await computeGaFigures(pool(), { lastDay: LAST_DAY, now: NOW });
    expect(daily.map((d) => d.day)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07"]);
    expect(daily[0]).toEqual({
      day: "2026-03-01",
      created: 60,
      processed: 60,
      failed: 0,
      errorRate: 0,
      p99Minutes: 2,
      availability: 1,
      breakerTrips: 0,
      interventions: 0,
    });
    expect(daily[1].availability).toBe(0.989583); // 1425 of 1440
    expect(daily[2]).toMatchObject({ processed: 61, failed: 1, errorRate: 0.016393, interventions: 2 });
    expect(daily[3]).toMatchObject({ availability: 0.986111, interventions: 1 }); // 1420 of 1440
    expect(daily[4]).toMatchObject({ processed: 4, failed: 1, errorRate: 0.25, p99Minutes: 15, breakerTrips: 1, interventions: 1 });
    expect(daily[5]).toMatchObject({ created: 1, processed: 0, errorRate: null, p99Minutes: null, interventions: 1 });
    expect(daily[6]).toMatchObject({ created: 0, availability: 1 });
  });

  it("count only elapsed minutes for availability while the window is still running", async () => {
    const g = await computeGaFigures(pool(), { lastDay: LAST_DAY, now: new Date("2026-03-07T00:10:30Z") });
    // 6 days and 10 whole minutes elapsed: 8650 minutes, of which 8615 ready.
    expect(g.figures.availability.detail).toContain("8615 ready minutes of 8650");
    expect(g.daily[6].availability).toBe(1);
  });
});

describe("GA figures without data", () => {
  it("say so instead of passing", async () => {
    const g = await computeGaFigures(pool(), { lastDay: LAST_DAY, now: NOW });
    expect(g.figures.errorRate.status).toBe("no_data");
    expect(g.figures.p99Latency.status).toBe("no_data");
    expect(g.figures.availability).toMatchObject({ status: "no_data", display: "no samples" });
    expect(g.allPass).toBe(false);
  });
});

describe("GA sign-off", () => {
  beforeEach(seedWeek);

  async function preparedWithChecklist() {
    const form = await prepareGaSignoff(pool(), pm, { lastDay: LAST_DAY, now: NOW });
    return saveGaChecklist(pool(), pm, { id: form.id, checklist: allMet, expectedVersion: form.version });
  }

  it("each person signs only their own line; a refusal is audited and changes nothing", async () => {
    const form = await preparedWithChecklist();
    await expect(
      signGaLine(pool(), pm, { id: form.id, line: "sre_lead", vote: "approve", note: "fine", expectedVersion: form.version, now: NOW }),
    ).rejects.toMatchObject({
      status: 403,
      code: "NOT_YOUR_LINE",
    });
    expect(await prisma().gaSignature.count()).toBe(0);
    expect(await prisma().auditLog.findFirstOrThrow({ where: { action: "ga.sign_sre", outcome: "refused" } })).toMatchObject({
      actorEmail: "pm@example.com",
      targetId: form.id,
    });

    const signed = await signGaLine(pool(), twoHats, {
      id: form.id,
      line: "eng_lead",
      vote: "approve",
      note: "accepting the breaker trip",
      expectedVersion: form.version,
      now: NOW,
    });
    await expect(
      signGaLine(pool(), twoHats, { id: form.id, line: "sre_lead", vote: "approve", note: "x", expectedVersion: signed.version, now: NOW }),
    ).rejects.toMatchObject({
      status: 403,
      code: "ONE_LINE_PER_PERSON",
    });
    await expect(
      signGaLine(pool(), eng, { id: form.id, line: "eng_lead", vote: "approve", note: "x", expectedVersion: signed.version, now: NOW }),
    ).rejects.toMatchObject({
      status: 409,
      code: "LINE_SIGNED",
    });
    expect((await getGaSignoffOrThrow(pool(), form.id)).signatures.map((s) => [s.line, s.signerEmail])).toEqual([["eng_lead", "lead@example.com"]]);
  });

  it("needs the checklist first, the version the signer saw, and a note to approve despite a failing figure", async () => {
    const form = await prepareGaSignoff(pool(), pm, { lastDay: LAST_DAY, now: NOW });
    await expect(
      signGaLine(pool(), pm, { id: form.id, line: "pm", vote: "approve", note: "ok", expectedVersion: form.version, now: NOW }),
    ).rejects.toMatchObject({
      code: "CHECKLIST_INCOMPLETE",
    });
    const ready = await saveGaChecklist(pool(), pm, { id: form.id, checklist: allMet, expectedVersion: form.version });
    await expect(
      signGaLine(pool(), pm, { id: form.id, line: "pm", vote: "approve", note: "ok", expectedVersion: form.version, now: NOW }),
    ).rejects.toMatchObject({
      status: 409,
      code: "STALE_FORM",
    });
    await expect(signGaLine(pool(), pm, { id: form.id, line: "pm", vote: "approve", expectedVersion: ready.version, now: NOW })).rejects.toMatchObject({
      status: 400,
      code: "WAIVER_REQUIRED",
      message: expect.stringContaining("Circuit-breaker events (1, target 0)"),
    });
    const signed = await signGaLine(pool(), pm, {
      id: form.id,
      line: "pm",
      vote: "approve",
      note: "breaker trip was the planned DB failover",
      expectedVersion: ready.version,
      now: NOW,
    });
    expect(signed.signatures[0]).toMatchObject({ line: "pm", signerEmail: "pm@example.com", vote: "approve", figuresHash: form.figuresHash });
    expect(signed.status).toBe("open");
    // From the first signature on, the figures and the checklist are frozen.
    await expect(recomputeGaSignoff(pool(), pm, { id: form.id, expectedVersion: signed.version, now: NOW })).rejects.toMatchObject({ code: "GA_FROZEN" });
    await expect(saveGaChecklist(pool(), pm, { id: form.id, checklist: allMet, expectedVersion: signed.version })).rejects.toMatchObject({ code: "GA_FROZEN" });
  });

  it("records GA APPROVED at the third signature on a snapshot that later failures never change", async () => {
    const form = await preparedWithChecklist();
    let current = await signGaLine(pool(), pm, {
      id: form.id,
      line: "pm",
      vote: "approve",
      note: "breaker trip explained",
      expectedVersion: form.version,
      now: NOW,
    });
    current = await signGaLine(pool(), eng, { id: form.id, line: "eng_lead", vote: "approve", note: "agreed", expectedVersion: current.version, now: NOW });
    expect(current.status).toBe("open");

    // New failures land in the window after two people signed.
    await uploads(5, "2026-03-06", "failed");
    const live = await computeGaFigures(pool(), { lastDay: LAST_DAY, now: NOW });
    expect(live.figures.errorRate).toMatchObject({ value: 0.033816, status: "fail" }); // 7 of 207

    current = await signGaLine(pool(), sre, { id: form.id, line: "sre_lead", vote: "approve", note: "agreed", expectedVersion: current.version, now: NOW });
    expect(current.status).toBe("approved");
    expect(current.decidedAt).not.toBeNull();
    expect(current.figures).toEqual(form.figures);
    expect(current.figures.figures.errorRate.value).toBe(0.009901);
    expect(current.snapshotIntact).toBe(true);
    expect(current.signatures.map((s) => s.figuresHash)).toEqual([form.figuresHash, form.figuresHash, form.figuresHash]);
    expect(hashFigures(current.figures)).toBe(form.figuresHash);
    expect(await prisma().auditLog.count({ where: { action: "ga.sign", outcome: "ok" } })).toBe(3 + 1); // + the seeded one

    // The database refuses to change a decided form or a signature, whoever asks.
    await expect(pool().query(`UPDATE ga_signoffs SET figures = '{}' WHERE id = $1`, [form.id])).rejects.toThrow(/decided/);
    await expect(pool().query(`DELETE FROM ga_signatures WHERE signoff_id = $1`, [form.id])).rejects.toThrow(/append-only/);
    await expect(
      signGaLine(pool(), sre, { id: form.id, line: "sre_lead", vote: "approve", note: "again", expectedVersion: current.version, now: NOW }),
    ).rejects.toMatchObject({
      code: "GA_DECIDED",
    });
  });

  it("a deferral needs a reason and a future re-review date and decides GA DEFERRED at once", async () => {
    const form = await preparedWithChecklist();
    await expect(signGaLine(pool(), sre, { id: form.id, line: "sre_lead", vote: "defer", expectedVersion: form.version, now: NOW })).rejects.toMatchObject({
      code: "REASON_REQUIRED",
    });
    await expect(
      signGaLine(pool(), sre, {
        id: form.id,
        line: "sre_lead",
        vote: "defer",
        note: "breaker",
        reReviewOn: "2026-03-08",
        expectedVersion: form.version,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: "RE_REVIEW_REQUIRED" });
    const deferred = await signGaLine(pool(), sre, {
      id: form.id,
      line: "sre_lead",
      vote: "defer",
      note: "breaker tripped on 03-05; need a clean week",
      reReviewOn: "2026-03-16",
      expectedVersion: form.version,
      now: NOW,
    });
    expect(deferred).toMatchObject({
      status: "deferred",
      reReviewOn: "2026-03-16",
      decisionReason: "SRE Lead (sre@example.com): breaker tripped on 03-05; need a clean week",
    });
    await expect(
      signGaLine(pool(), pm, { id: form.id, line: "pm", vote: "approve", note: "x", expectedVersion: deferred.version, now: NOW }),
    ).rejects.toMatchObject({
      code: "GA_DECIDED",
    });
    // A decided form makes room for the next one.
    const next = await prepareGaSignoff(pool(), pm, { lastDay: LAST_DAY, now: NOW });
    expect(next.status).toBe("open");
  });

  it("keeps one open form at a time, recomputable until someone signs", async () => {
    const form = await prepareGaSignoff(pool(), pm, { lastDay: "2026-03-06", now: NOW });
    await expect(prepareGaSignoff(pool(), pm, { lastDay: LAST_DAY, now: NOW })).rejects.toMatchObject({ status: 409, code: "GA_FORM_OPEN" });
    const moved = await recomputeGaSignoff(pool(), pm, { id: form.id, lastDay: LAST_DAY, expectedVersion: form.version, now: NOW });
    expect(moved.figures.window).toMatchObject({ firstDay: "2026-03-01", lastDay: "2026-03-07" });
    expect(moved.figuresHash).not.toBe(form.figuresHash);
    expect(await prisma().auditLog.count({ where: { action: { in: ["ga.prepare", "ga.recompute"] } } })).toBe(2);
  });
});
