import { beforeEach, describe, expect, it } from "vitest";
import { setRollout } from "@/lib/controls/change-control";
import { fileStore } from "@/lib/storage";
import { createWorkspace, pool, prisma, resetDatabase } from "@/lib/testing/db";
import { MANUAL_ITEMS } from "./checklist";
import { launchStatus } from "./launch-status";
import { decideLaunch, tickLaunchItem } from "./record-launch";
import { hourlyHealth, shiftHandoff } from "./shift-report";

const eng = { id: "00000000-0000-0000-0000-00000000000e", email: "eng@example.com", roles: ["eng_lead" as const] };

beforeEach(async () => {
  await resetDatabase();
  await createWorkspace("acme");
});

describe("launch day", () => {
  it("checks live what it can: rollout at P0 with an allowlist, alert rules, metrics, and no synthetic upload yet", async () => {
    let status = await launchStatus(pool(), fileStore());
    const level = (key: string) => status.checks.find((c) => c.key === key)?.level;
    expect(level("db.reachable")).toBe("pass");
    expect(level("db.migrations")).toBe("pass");
    expect(level("alerts.rules")).toBe("pass");
    expect(level("metrics.emitting")).toBe("pass");
    expect(level("synthetic.completed")).toBe("fail");
    // Workers have not run in this database.
    expect(level("workers.parse")).toBe("fail");
    const { version } = await prisma().ingestionControl.findUniqueOrThrow({ where: { key: "rollout" } });
    const sre = { ...eng, roles: ["ingestion_owner" as const] };
    await setRollout(pool(), sre, { phase: "P0", allowlist: ["acme"], reason: "P0 internal", incidentId: "CHG-1", expectedVersion: version });
    status = await launchStatus(pool(), fileStore());
    expect(level("rollout.p0")).toBe("pass");
    await pool().query(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, total_rows, valid_rows, completed_at)
       SELECT gen_random_uuid(), id, 'meta', 'manual', 'synthetic-small.csv', 10, 'x', 'k', 'completed', 2, 2, now() FROM workspaces WHERE slug = 'acme'`,
    );
    status = await launchStatus(pool(), fileStore());
    expect(level("synthetic.completed")).toBe("pass");
    expect(status.announcement).toContain("- Test upload: PASSED");
  });

  it("refuses GO while items are open, naming them; records NO-GO and, once all is ticked, who ticked what", async () => {
    await expect(tickLaunchItem(pool(), eng, { item: "oncall.primary", checked: true })).rejects.toMatchObject({ code: "NOTE_REQUIRED" });
    await tickLaunchItem(pool(), eng, { item: "oncall.primary", checked: true, note: "Dana (oncall)" });
    await expect(decideLaunch(pool(), fileStore(), eng, { decision: "go", reason: "ready" })).rejects.toMatchObject({
      status: 409,
      code: "CHECKLIST_INCOMPLETE",
    });
    expect(await prisma().auditLog.count({ where: { action: "launch.decide", outcome: "refused" } })).toBe(1);
    const noGo = await decideLaunch(pool(), fileStore(), eng, { decision: "no_go", reason: "workers not deployed yet" });
    expect(noGo).toMatchObject({ decision: "no_go", by: "eng@example.com" });
    const status = await launchStatus(pool(), fileStore());
    expect(status.decision).toMatchObject({ decision: "no_go", by: "eng@example.com", reason: "workers not deployed yet" });
    expect(status.manual.find((m) => m.key === "oncall.primary")?.tick).toMatchObject({ checked: true, by: "eng@example.com", note: "Dana (oncall)" });
    expect(status.announcement).toContain("- On-call: Dana (oncall)");
    expect(status.open).toHaveLength(status.checks.filter((c) => c.level === "fail").length + MANUAL_ITEMS.length - 1);
    expect(await prisma().auditLog.count({ where: { action: "launch.check", outcome: "ok" } })).toBe(1);
  });

  it("hourly health and the shift handoff count from the data", async () => {
    await pool().query(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, failed_at, error_code)
       SELECT gen_random_uuid(), id, 'meta', 'api', 'f' || g || '.csv', 10, md5(g::text), 'k', CASE WHEN g = 1 THEN 'failed' ELSE 'completed' END::"UploadStatus",
              CASE WHEN g = 1 THEN now() END, CASE WHEN g = 1 THEN 'EMPTY_FILE' END
         FROM workspaces, generate_series(1, 4) g WHERE slug = 'acme'`,
    );
    const health = await hourlyHealth(pool());
    expect(health.total).toBe(4);
    expect(health.errorRate).toEqual({ percent: 25, ok: false });
    expect(health.backlog).toEqual({ rows: 0, ok: true });
    const handoff = await shiftHandoff(pool());
    expect(handoff.failed).toEqual([{ id: expect.any(String), fileName: "f1.csv", workspace: "acme", errorCode: "EMPTY_FILE", at: expect.any(Date) }]);
    expect(handoff.uploads).toEqual([
      { status: "completed", n: 3 },
      { status: "failed", n: 1 },
    ]);
  });

  it("the shift handoff lists what is open now and what people did, each in the shape the page shows", async () => {
    const { rows } = await pool().query<{ id: string }>(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, updated_at)
       SELECT gen_random_uuid(), id, 'meta', 'api', 'stuck.csv', 10, 'h', 'k', 'processing', 'dead-worker', now() - interval '45 minutes'
         FROM workspaces WHERE slug = 'acme' RETURNING id`,
    );
    await pool().query(
      `INSERT INTO alerts (id, signal, fingerprint, active_fingerprint, scenario, severity, owner_role, runbook, title, detail, data, status, escalated, upload_id, opened_at, last_seen_at)
       VALUES (gen_random_uuid(), 'stuck_upload', 'stuck:x', 'stuck:x', 'D10-10', 'page', 'oncall', 'd8-stuck-upload', 'Upload stuck', 'd', '{}', 'open', false, $1, now(), now())`,
      [rows[0].id],
    );
    await pool().query(
      `INSERT INTO audit_log (actor_email, actor_roles, action, target_type, target_id, reason, incident_id, outcome)
       VALUES ('oncall@example.com', '{oncall}', 'upload.force_fail', 'upload', $1, 'worker gone', 'INC-1', 'ok'),
              ('sre@example.com', '{sre_lead}', 'controls.drain', 'control', NULL, 'deploy', NULL, 'ok'),
              ('viewer@example.com', '{viewer}', 'controls.halt', 'control', NULL, NULL, NULL, 'refused')`,
      [rows[0].id],
    );
    const handoff = await shiftHandoff(pool());
    expect(handoff.openAlerts).toEqual([
      {
        id: expect.any(String),
        title: "Upload stuck",
        severity: "page",
        status: "open",
        scenario: "D10-10",
        openedAt: expect.any(Date),
        acknowledgedBy: null,
        escalated: false,
      },
    ]);
    expect(handoff.stuck).toEqual([
      { id: rows[0].id, fileName: "stuck.csv", workspace: "acme", status: "processing", since: expect.any(Date), lockedBy: "dead-worker" },
    ]);
    // Only what was done (not what was refused), newest first, the target with its ID when it has one.
    expect(handoff.actions).toEqual([
      { action: "controls.drain", actor: "sre@example.com", target: "control", incidentId: null, reason: "deploy", at: expect.any(Date) },
      {
        action: "upload.force_fail",
        actor: "oncall@example.com",
        target: `upload ${rows[0].id}`,
        incidentId: "INC-1",
        reason: "worker gone",
        at: expect.any(Date),
      },
    ]);
  });
});
