import type { Page } from "@playwright/test";
import { consolePost, expect, operatorAction, screenshot, sql, storageStateFor, test, uploadStatus } from "./helpers";

/** An upload stuck in processing for 45 minutes, its lease held by a worker that died. */
async function stuckUpload(): Promise<string> {
  const rows = await sql<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, lease_expires_at, created_at, updated_at, started_at)
     SELECT gen_random_uuid(), id, 'meta', 'api', 'runbook-stuck.csv', 100, md5(random()::text), 'missing', 'processing',
            'dead-worker', now() + interval '1 hour', now() - interval '50 minutes', now() - interval '45 minutes', now() - interval '45 minutes'
       FROM workspaces WHERE slug = 'acme' RETURNING id`,
  );
  await sql(`INSERT INTO upload_events (upload_id, from_status, to_status, actor) VALUES ($1, 'pending', 'processing', 'worker:parse:dead-worker')`, [
    rows[0].id,
  ]);
  return rows[0].id;
}

async function mark(page: Page, step: string, result: "ok" | "failed" | "skipped", note: string) {
  await page.getByLabel(`Note for step ${step}`, { exact: true }).fill(note);
  await page.getByRole("button", { name: `Mark step ${step} ${result}`, exact: true }).click();
  await expect(page.getByTestId(`step-${step}`)).toHaveAttribute("data-result", result);
}

test.describe("runbooks", () => {
  test.use({ storageState: storageStateFor("oncall") });

  test("on-call runs the stuck-upload runbook end to end and the execution log shows every step with its result", async ({ page }) => {
    const uploadId = await stuckUpload();
    const incident = `INC-${Date.now()}`;

    await page.goto("/runbooks");
    await expect(page.getByRole("link", { name: "Upload stuck in a non-terminal state" })).toBeVisible();
    await page.getByRole("link", { name: "Upload stuck in a non-terminal state" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Upload stuck in a non-terminal state");
    await expect(page.getByRole("region", { name: "Recover" })).toContainText("Force-fail");
    // Rendered from runbooks/d8-stuck-upload.md: front matter, a numbered step, its SQL with the read-only label.
    await expect(page.getByTestId("runbook-meta")).toContainText("version 2.0");
    await expect(page.getByTestId("runbook-step-1.1").getByTestId("runbook-command").first()).toContainText("FROM uploads");
    await expect(page.getByRole("region", { name: "Rollback" })).toContainText("only when needed");
    await screenshot(page, "runbook-stuck-upload");

    await page.getByLabel("Incident ID").fill(incident);
    await page.getByRole("button", { name: "Start runbook", exact: true }).click();
    await expect(page).toHaveURL(/\/runbooks\/executions\/[0-9a-f-]{36}$/);
    const executionId = page.url().split("/").at(-1)!;
    await expect(page.getByTestId("execution-incident")).toHaveText(incident);
    await expect(page.getByTestId("execution-runbook-version")).toHaveText("2.0");

    await mark(page, "1.1", "ok", `runbook-stuck.csv in processing 45 min (${uploadId})`);
    await mark(page, "1.2", "skipped", "no alert yet; found on the Overview tile");
    await mark(page, "2.1", "ok", "attempts 0, lease held by dead-worker for another hour");
    await mark(page, "2.2", "ok", "running, nothing frozen, acme not paused");
    await mark(page, "2.3", "ok", "parse runs every 500 ms; no worker.failed");
    await mark(page, "2.4", "ok", "abort: the lease holder is gone and the file is missing");
    await mark(page, "3.1", "skipped", "=aborting instead of resuming");

    // The recovery itself happens on the upload's page, with its own accountable action.
    await page.goto(`/uploads/${uploadId}`);
    await operatorAction(page, "Force-fail", "stuck 45 min in processing: lease held by a dead worker", incident);
    // The form's own plan names FORCE_FAILED too: wait for the answer, not for that text.
    await expect(page.getByRole("heading", { level: 1 })).toContainText("failed");
    await expect(page.getByRole("alert").filter({ hasText: "FORCE_FAILED" })).toBeVisible();
    expect(await uploadStatus(uploadId)).toBe("failed");

    await page.goto(`/runbooks/executions/${executionId}`);
    await mark(page, "3.2", "ok", "force-failed from the upload page");
    await mark(page, "4.1", "ok", "upload failed; nothing else stuck");
    await mark(page, "4.2", "ok", "upload.force_fail in the audit log with the incident ID");
    await mark(page, "4.3", "ok", "posted in #ingestion-rollout");
    await mark(page, "5.1", "ok", "postmortem draft started");

    await page.getByLabel("Outcome").selectOption("resolved");
    await page.getByLabel("Closing note").fill("upload aborted; client asked to re-send");
    await page.getByRole("button", { name: "Close execution", exact: true }).click();
    await expect(page.getByTestId("execution-outcome")).toContainText("Closed as resolved by oncall@example.com");
    await screenshot(page, "runbook-execution-closed");

    // The execution log, filtered on the incident, lists each step with its result.
    await page.goto(`/runbooks/executions?incident=${incident}`);
    const execution = page.getByTestId(`execution-${executionId}`);
    await expect(execution).toContainText("resolved");
    const expected: [string, string][] = [
      ["1.1", "ok"],
      ["1.2", "skipped"],
      ["2.1", "ok"],
      ["2.2", "ok"],
      ["2.3", "ok"],
      ["2.4", "ok"],
      ["3.1", "skipped"],
      ["3.2", "ok"],
      ["4.1", "ok"],
      ["4.2", "ok"],
      ["4.3", "ok"],
      ["5.1", "ok"],
    ];
    for (const [step, result] of expected) await expect(execution.getByTestId(`log-step-${step}`)).toContainText(result);
    await expect(execution.getByTestId("log-step-3.2")).toContainText("force-failed from the upload page");
    await screenshot(page, "runbook-execution-log");

    const records = await sql<{ step_id: string; result: string; recorded_by: string }>(
      `SELECT step_id, result::text, recorded_by FROM runbook_step_records WHERE execution_id = $1 ORDER BY id`,
      [executionId],
    );
    expect(records.map((r) => [r.step_id, r.result])).toEqual(expected);
    expect(new Set(records.map((r) => r.recorded_by))).toEqual(new Set(["oncall@example.com"]));
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_log WHERE incident_id = $1 AND outcome = 'ok' ORDER BY id`, [incident]);
    expect(audit.map((a) => a.action)).toEqual([
      "runbook.start",
      ...Array(7).fill("runbook.step"),
      "upload.force_fail",
      ...Array(5).fill("runbook.step"),
      "runbook.close",
    ]);

    // The CSV export of the same filter makes the formula-looking note safe.
    const csv = await page.request.get(`/api/console/runbooks/executions/export?incident=${incident}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toContain("execution_id,runbook,runbook_version,incident_id");
    expect(text).toContain(",'=aborting instead of resuming,");
    expect(text.trim().split("\r\n")).toHaveLength(1 + expected.length);

    await page.goto("/runbooks");
    await expect(page.getByTestId(`open-execution-${executionId}`)).toHaveCount(0);
  });

  test("an open execution stays listed until it is closed with an outcome", async ({ page }) => {
    const incident = `RBO-${Date.now()}`;
    await page.goto("/runbooks/d8-pause");
    await page.getByLabel("Incident ID").fill(incident);
    await page.getByRole("button", { name: "Start runbook", exact: true }).click();
    await expect(page).toHaveURL(/\/runbooks\/executions\//);
    const executionId = page.url().split("/").at(-1)!;
    await page.goto("/runbooks");
    await expect(page.getByTestId(`open-execution-${executionId}`)).toContainText(incident);

    // Resolved is refused while steps are missing; aborting needs (and records) a reason.
    await page
      .getByRole("link", { name: "Continue" })
      .and(page.locator(`[href="/runbooks/executions/${executionId}"]`))
      .click();
    await page.getByLabel("Outcome").selectOption("resolved");
    await page.getByRole("button", { name: "Close execution", exact: true }).click();
    await expect(page.getByRole("region", { name: "Close execution" }).getByRole("alert")).toContainText("Cannot close as resolved");
    await page.getByLabel("Outcome").selectOption("aborted");
    await page.getByLabel("Closing note").fill("false alarm: error rate back under 5 %");
    await page.getByRole("button", { name: "Close execution", exact: true }).click();
    await expect(page.getByTestId("execution-outcome")).toContainText("Closed as aborted");
    await page.goto("/runbooks");
    await expect(page.getByTestId(`open-execution-${executionId}`)).toHaveCount(0);
  });
});

test.describe("runbooks for a viewer", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("reads a runbook but cannot start it: the button is disabled and a direct POST gets 403", async ({ page }) => {
    await page.goto("/runbooks/d8-stuck-upload");
    await expect(page.getByRole("button", { name: "Start runbook", exact: true })).toBeDisabled();
    await expect(page.getByRole("form", { name: "Start runbook" })).toContainText("requires oncall");
    const before = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM runbook_executions`);
    const response = await consolePost(page.request, "/api/console/runbooks/executions", { runbook: "d8-stuck-upload", incidentId: "INC-VIEWER" });
    expect(response.status()).toBe(403);
    expect(await sql(`SELECT count(*)::int AS n FROM runbook_executions`)).toEqual(before);
  });
});
