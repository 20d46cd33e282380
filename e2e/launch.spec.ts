import { consolePost, expect, screenshot, sql, storageStateFor, test } from "./helpers";

test.describe("launch day", () => {
  test.use({ storageState: storageStateFor("eng_lead") });

  test("the engineering lead sees the live checks, ticks an item under their name, cannot GO while items are open, records NO-GO", async ({ page }) => {
    await page.goto("/launch");
    await expect(page.getByTestId("check-db.reachable")).toContainText("PASS");
    await expect(page.getByTestId("check-alerts.rules")).toContainText("IngestionCircuitOpen, IngestionHighErrorRate, IngestionStagingBacklog");
    await expect(page.getByTestId("check-metrics.emitting")).toContainText("PASS");
    const item = page.getByTestId("item-oncall.primary");
    await item.getByPlaceholder("Name").fill("Dana Reyes");
    await item.getByRole("button", { name: "Tick: Primary on-call identified" }).click();
    await expect(item).toContainText("Ticked by eng_lead@example.com");
    await expect(item).toContainText("Dana Reyes");
    await expect(page.getByLabel("Announcement text")).toHaveValue(/- On-call: Dana Reyes/);
    await expect(page.getByRole("button", { name: "Record GO" })).toBeDisabled();
    await expect(page.getByTestId("open-items")).toContainText("Synthetic test upload reached completed");
    await page.getByLabel("Reason (kept with the decision)").fill("Rollout is at P4 in this environment; workers not verified");
    await page.getByRole("button", { name: "Record NO-GO" }).click();
    await expect(page.getByTestId("decision")).toContainText("NO-GO decided by eng_lead@example.com");
    await expect(page.getByRole("region", { name: "Hourly health check" })).toContainText("target < 5 %");
    await expect(page.getByRole("region", { name: "Shift handoff" })).toContainText("launch.decide by eng_lead@example.com");
    await screenshot(page, "launch");
    const go = await consolePost(page.request, "/api/console/launch/decision", { decision: "go", reason: "try anyway" });
    expect(go.status()).toBe(409);
    expect((await go.json()).error.code).toBe("CHECKLIST_INCOMPLETE");
    expect(await sql(`SELECT decision, decided_by FROM launch_decisions ORDER BY id`)).toEqual([{ decision: "no_go", decided_by: "eng_lead@example.com" }]);
  });
});

test.describe("viewer on the launch page", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("reads it but cannot tick or decide: buttons disabled, direct POSTs 403, nothing recorded", async ({ page }) => {
    await page.goto("/launch");
    await expect(page.getByRole("button", { name: "Tick: Kill switch tested in staging" })).toBeDisabled();
    const tick = await consolePost(page.request, "/api/console/launch/ticks", { item: "rollback.kill_switch", checked: true });
    expect(tick.status()).toBe(403);
    expect(await sql(`SELECT count(*)::int AS n FROM launch_ticks WHERE item = 'rollback.kill_switch'`)).toEqual([{ n: 0 }]);
  });
});

test.describe("overview", () => {
  test.use({ storageState: storageStateFor("oncall") });

  test("hydrates without a mismatch, with relative times on screen (a stuck upload and a backlog)", async ({ page }) => {
    await sql(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, lease_expires_at, created_at, updated_at, started_at)
       SELECT gen_random_uuid(), id, 'meta', 'api', 'hydration-' || floor(random() * 1e9)::text || '.csv', 100, md5(random()::text), 'missing', 'processing',
              'dead', now() + interval '1 hour', now() - interval '3 hours', now() - interval '2 hours', now() - interval '2 hours' FROM workspaces WHERE slug = 'acme'`,
    );
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && /hydrat|did not match|#418|#423|#425/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => {
      if (/hydrat|#418|#423|#425/i.test(e.message)) problems.push(e.message);
    });
    await page.goto("/");
    await expect(page.getByTestId("tile-stuck")).toContainText(/since \d+[smhd] ago/);
    await page.waitForTimeout(1500);
    expect(problems).toEqual([]);
    await screenshot(page, "overview-hydrated");
  });
});
