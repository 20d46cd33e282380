import { apiUpload, consolePost, expect, metaCsv, operatorAction, screenshot, sql, storageStateFor, test, uploadStatus } from "./helpers";

/** An upload stuck in processing for 45 minutes (a worker died and nothing recovered it). */
async function stuckUpload(): Promise<string> {
  const rows = await sql<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, lease_expires_at, created_at, updated_at, started_at)
     SELECT gen_random_uuid(), id, 'meta', 'api', 'stuck-' || floor(random() * 1e9)::text || '.csv', 100, md5(random()::text), 'missing', 'processing',
            'dead-worker', now() + interval '1 hour', now() - interval '50 minutes', now() - interval '45 minutes', now() - interval '45 minutes'
       FROM workspaces WHERE slug = 'acme' RETURNING id`,
  );
  await sql(`INSERT INTO upload_events (upload_id, from_status, to_status, actor) VALUES ($1, 'pending', 'processing', 'worker:parse:dead-worker')`, [
    rows[0].id,
  ]);
  return rows[0].id;
}

test.describe("on-call", () => {
  test.use({ storageState: storageStateFor("oncall") });

  test("force-fails a stuck upload; the detail page shows failed and the audit entry exists", async ({ page }) => {
    const id = await stuckUpload();
    await page.goto("/");
    await expect(page.getByTestId("tile-stuck")).toHaveAttribute("data-level", "critical");
    await screenshot(page, "overview-oncall");
    await page.goto(`/uploads/${id}`);
    await operatorAction(page, "Force-fail", "stuck 45 minutes, worker gone", "INC-2001");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("failed");
    await expect(page.getByRole("alert").filter({ hasText: "FORCE_FAILED" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Timeline" })).toContainText("by oncall@example.com");
    await screenshot(page, "upload-detail-force-failed");
    expect(await uploadStatus(id)).toBe("failed");
    await page.goto("/audit?incident=INC-2001");
    await expect(page.getByRole("cell", { name: "upload.force_fail" })).toBeVisible();
    await screenshot(page, "audit");
  });
});

test.describe("viewer", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("sees Force-fail disabled with the reason, and a direct POST gets 403 with the upload unchanged", async ({ page }) => {
    const id = await stuckUpload();
    await page.goto(`/uploads/${id}`);
    const button = page.getByRole("button", { name: "Force-fail", exact: true });
    await expect(button).toBeDisabled();
    // The reason is the button's own description (Resume, beside it, is refused with its reason too).
    await expect(button).toHaveAccessibleDescription(/requires oncall/);
    const response = await consolePost(page.request, `/api/console/uploads/${id}/force-fail`, {
      expectedStatus: "processing",
      reason: "x",
      incidentId: "INC-1",
    });
    expect(response.status()).toBe(403);
    expect(await uploadStatus(id)).toBe("processing");
  });
});

test.describe("staging cleanup", () => {
  test("requested by one SRE lead, refused to the same person, approved by another", async ({ browser, request }) => {
    const created = await apiUpload(request, metaCsv({ bad: true }));
    expect(created.status).toBe(201);
    await expect.poll(() => uploadStatus(created.body.id), { timeout: 30_000 }).toBe("partial");

    const first = await browser.newPage({ storageState: storageStateFor("sre_lead") });
    await first.goto(`/uploads/${created.body.id}`);
    await expect(first.getByTestId("ledger")).toContainText("total 3 = valid 2 + invalid 1 + ignored 0");
    await expect(first.getByTestId("dates")).toHaveText("dates 2024-03-01 → 2024-03-02");
    await screenshot(first, "upload-detail-partial");
    await first.goto("/staging");
    // Other specs upload files named report.csv too: select this upload's own row.
    await first
      .getByRole("row")
      .filter({ has: first.locator(`a[href="/uploads/${created.body.id}"]`) })
      .getByRole("checkbox", { name: "Select report.csv" })
      .check();
    await expect(first.getByTestId("cleanup-preview")).toContainText("2 staging rows of 1 upload");
    await operatorAction(first, "Request cleanup", "client re-sent a corrected file", "INC-3001");
    // The click returns before the server answers: wait for the request to exist.
    const requested = () => sql<{ id: string }>(`SELECT id FROM cleanup_requests WHERE incident_id = 'INC-3001'`);
    await expect.poll(async () => (await requested()).length).toBe(1);
    const requestId = (await requested())[0].id;
    const card = first.getByTestId(`cleanup-${requestId}`);
    await expect(card.getByRole("button", { name: "Approve cleanup" })).toBeDisabled();
    await expect(card).toContainText("a different person must approve");
    const self = await consolePost(first.request, `/api/console/cleanup/${requestId}/approve`, { reason: "me", incidentId: "INC-3001" });
    expect(self.status()).toBe(403);
    expect((await sql(`SELECT count(*)::int AS n FROM staging_rows WHERE upload_id = $1`, [created.body.id]))[0]).toEqual({ n: 2 });
    await screenshot(first, "staging");
    await first.close();

    const second = await browser.newPage({ storageState: storageStateFor("sre_lead2") });
    await second.goto("/staging");
    const card2 = second.getByTestId(`cleanup-${requestId}`);
    await operatorAction(second, "Approve cleanup", "checked the preview", "INC-3001");
    await expect(card2).toContainText("approved by sre_lead2@example.com, 2 rows deleted");
    expect((await sql(`SELECT count(*)::int AS n FROM staging_rows WHERE upload_id = $1`, [created.body.id]))[0]).toEqual({ n: 0 });
    await second.close();
  });
});

test.describe("kill switch", () => {
  test.use({ storageState: storageStateFor("sre_lead") });

  const change = (page: import("@playwright/test").Page, button: string, incident: string) =>
    operatorAction(page, button, `${button} for the e2e test`, incident);

  test("freezing only the parse worker leaves a new upload pending until it is unfrozen", async ({ page, request }) => {
    await page.goto("/controls");
    await change(page, "Freeze parse worker", "INC-4001");
    await expect(page.getByTestId("worker-parse")).toContainText("FROZEN");
    const created = await apiUpload(request, metaCsv());
    expect(created.status).toBe(201);
    await page.waitForTimeout(3000);
    expect(await uploadStatus(created.body.id)).toBe("pending");
    await change(page, "Unfreeze parse worker", "INC-4001");
    await expect.poll(() => uploadStatus(created.body.id), { timeout: 30_000 }).toBe("completed");
  });

  test("halt stops the workers (an accepted upload stays put, a new one gets 503) and resume lets it flow", async ({ page, request }) => {
    await page.goto("/controls");
    // Hold the accepted upload in pending while the halt is applied.
    await change(page, "Freeze parse worker", "INC-5001");
    const accepted = await apiUpload(request, metaCsv());
    expect(accepted.status).toBe(201);
    await change(page, "Halt ingestion", "INC-5001");
    await expect(page.getByTestId("mode")).toHaveText("HALTED");
    await change(page, "Unfreeze parse worker", "INC-5001");
    await expect(page.getByTestId("worker-parse")).toContainText("running");
    await screenshot(page, "controls-halted");

    await page.waitForTimeout(3000);
    expect(await uploadStatus(accepted.body.id)).toBe("pending");
    const refused = await apiUpload(request, metaCsv());
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("INGESTION_PAUSED");

    await page.goto("/");
    await expect(page.getByTestId("tile-mode")).toHaveAttribute("data-level", "critical");
    await screenshot(page, "overview-halted");

    await page.goto("/controls");
    await change(page, "Resume ingestion", "INC-5001");
    await expect(page.getByTestId("mode")).toHaveText("RUNNING");
    await expect.poll(() => uploadStatus(accepted.body.id), { timeout: 30_000 }).toBe("completed");
    const audit = await sql(`SELECT action FROM audit_log WHERE incident_id = 'INC-5001' AND outcome = 'ok' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(["controls.freeze_worker", "controls.halt", "controls.unfreeze_worker", "controls.resume"]);
  });
});

test.describe("screenshots of every page", () => {
  test.use({ storageState: storageStateFor("pm") });
  for (const path of ["/", "/uploads", "/staging", "/breakers", "/controls", "/alerts", "/ga", "/runbooks", "/audit"]) {
    test(`page ${path}`, async ({ page }) => {
      const response = await page.goto(path);
      expect(response?.status()).toBe(200);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await screenshot(page, `page-${path === "/" ? "overview" : path.slice(1)}`);
    });
  }
});
