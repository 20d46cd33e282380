import { consolePost, demoApiKey, expect, screenshot, sql, storageStateFor, test } from "./helpers";

/**
 * Issue 14, points 1–3 as the people who use them click: the Support Lead's partial review, alert
 * notes on the Alerts page, the SRE lead's on-call roster, and the read-only "Who may do what".
 */

/** The known-answer export of lib/signals/partial-losses.test.ts, made unique per run. */
function knownPartial(tag: string) {
  return Buffer.from(
    [
      "Campaign report March 2024",
      "Campaign name,Day,Campaign ID,Amount spent (USD),Impressions,Link clicks,Results",
      `Spring Sale ${tag},2024-03-01,111${tag},10.00,1000,10,1`,
      `Spring Sale ${tag},2024-03-02,111${tag},11.00,1000,10,1`,
      `Brand ${tag},2024-03-01,222${tag},5.00,500,5,0`,
      `Brand ${tag},2024-03-02,222${tag},-5.00,500,5,0`,
      `Brand ${tag},2024-03-03,222${tag},5.00,50,500,0`,
      `Retargeting ${tag},2024-03-01,333${tag},3.00,lots,3,0`,
      `Retargeting ${tag},2024-02-30,333${tag},3.00,300,3,0`,
    ].join("\n") + "\n",
  );
}

test.describe("Support Lead: partial promotions (D10-02)", () => {
  test.use({ storageState: storageStateFor("support_lead") });

  test("sees the campaigns not fully loaded, acknowledges with a ticket and a note, and may run the D10-02 runbook", async ({ page, request }) => {
    const tag = String(Date.now()).slice(-6);
    const response = await request.post("/api/v1/uploads", {
      headers: { authorization: `Bearer ${demoApiKey()}` },
      multipart: { workspace_id: "acme", platform: "meta", file: { name: `march-${tag}.csv`, mimeType: "text/csv", buffer: knownPartial(tag) } },
    });
    expect(response.status()).toBe(201);
    const uploadId = (await response.json()).id as string;

    await expect
      .poll(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE fingerprint = $1`, [`partial:${uploadId}`]))[0].n, {
        timeout: 45_000,
      })
      .toBe(1);
    await page.goto("/alerts");
    const card = page.getByTestId(`partial-${uploadId}`);
    await expect(card).toBeVisible();
    const table = card.getByRole("table", { name: "Campaigns not fully loaded" });
    await expect(table.getByRole("row")).toHaveCount(3);
    await expect(table.getByRole("row").nth(1)).toContainText(`Brand ${tag}`);
    await expect(table.getByRole("row").nth(1)).toContainText("2024-03-02, 2024-03-03");
    await expect(table.getByRole("row").nth(1)).toContainText("spend negative");
    await expect(table.getByRole("row").nth(2)).toContainText(`Retargeting ${tag}`);
    await expect(table).not.toContainText("Spring Sale");
    // The alert names them too.
    await expect(
      page
        .getByRole("listitem")
        .filter({ hasText: `march-${tag}.csv` })
        .first(),
    ).toContainText(`Brand ${tag} (222${tag}) −2`);
    await screenshot(page, "alerts-partial-review");

    const ack = card.getByRole("form", { name: "Acknowledge partial" });
    await expect(ack.getByRole("button", { name: "Acknowledge partial" })).toBeDisabled();
    await ack.getByLabel("Ticket").fill(`SUP-${tag}`);
    await ack.getByLabel("What you told the client (required)").fill("Told the client Brand and Retargeting are incomplete; new file expected.");
    await ack.getByRole("button", { name: "Acknowledge partial" }).click();
    // The review stays on the card, with its ticket and note.
    await expect(card.getByTestId("partial-review")).toContainText(`ticket SUP-${tag}: Told the client Brand and Retargeting are incomplete`);
    const review = await sql<{ ticket: string; note: string; acknowledged_by: string }>(
      `SELECT ticket, note, acknowledged_by FROM partial_reviews WHERE upload_id = $1`,
      [uploadId],
    );
    expect(review).toEqual([
      { ticket: `SUP-${tag}`, note: "Told the client Brand and Retargeting are incomplete; new file expected.", acknowledged_by: "support_lead@example.com" },
    ]);

    // The review is kept on the alert's timeline.
    const alertItem = page
      .getByRole("listitem")
      .filter({ hasText: `march-${tag}.csv` })
      .first();
    await alertItem.getByText(/Timeline and notes/).click();
    await expect(alertItem.getByRole("list", { name: "Alert timeline" })).toContainText(`Partial acknowledged — ticket SUP-${tag}`);

    // The Support Lead may run the runbook of their scenario, and not another role's.
    await page.goto("/runbooks/d10-02-partial-promotion");
    await expect(page.getByRole("button", { name: "Start runbook", exact: true })).toBeEnabled();
    await page.goto("/runbooks/d10-09-kill-switch-not-applied");
    await expect(page.getByRole("button", { name: "Start runbook", exact: true })).toBeDisabled();
    await expect(page.getByText(/this runbook belongs to/).first()).toBeVisible();
  });
});

test.describe("on-call: alert notes on the Alerts page", () => {
  test.use({ storageState: storageStateFor("oncall") });

  test("adds a note to an alert and reads it back", async ({ page }) => {
    const rows = await sql<{ id: string }>(
      `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, lease_expires_at, created_at, updated_at, started_at)
       SELECT gen_random_uuid(), id, 'meta', 'api', 'notes-stuck.csv', 100, md5(random()::text), 'missing', 'processing',
              'dead-worker', now() + interval '1 hour', now() - interval '50 minutes', now() - interval '45 minutes', now() - interval '45 minutes'
         FROM workspaces WHERE slug = 'acme' RETURNING id`,
    );
    await expect.poll(async () => (await sql(`SELECT 1 FROM alerts WHERE upload_id = $1`, [rows[0].id])).length, { timeout: 45_000 }).toBe(1);
    await page.goto("/alerts?status=active");
    const item = page.getByRole("listitem").filter({ hasText: "notes-stuck.csv" }).first();
    await item.getByText(/Timeline and notes \(0 notes\)/).click();
    await item.getByRole("textbox", { name: "Note" }).fill("Lease holder gone; deciding resume vs abort (D10-10).");
    await item.getByRole("button", { name: "Add note" }).click();
    await expect(item.getByRole("list", { name: "Alert timeline" })).toContainText("note by oncall@example.com");
    await expect(item.getByRole("list", { name: "Alert timeline" })).toContainText("Lease holder gone; deciding resume vs abort (D10-10).");
    await screenshot(page, "alerts-timeline-notes");
    await page.reload();
    await expect(page.getByRole("listitem").filter({ hasText: "notes-stuck.csv" }).first()).toContainText("Timeline and notes (1 note)");
    // Leave nothing stuck behind for the other specs.
    await sql(`UPDATE uploads SET status = 'failed', failed_at = now(), locked_by = NULL, lease_expires_at = NULL WHERE id = $1`, [rows[0].id]);
  });

  test("sees the roster read-only and is refused an edit on the server, with nothing changed", async ({ page, request }) => {
    await page.goto("/oncall");
    await expect(page.getByRole("button", { name: "Add shift" })).toBeDisabled();
    await expect(page.getByText("Not allowed: requires sre_lead").first()).toBeVisible();
    const before = await sql(`SELECT count(*)::int AS n FROM oncall_shifts`);
    const users = await sql<{ id: string }>(`SELECT id FROM users WHERE email IN ('oncall@example.com', 'sre_lead2@example.com') ORDER BY email`);
    const refused = await consolePost(request, "/api/console/roster", {
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      primaryId: users[0].id,
      secondaryId: users[1].id,
    });
    expect(refused.status()).toBe(403);
    expect(await sql(`SELECT count(*)::int AS n FROM oncall_shifts`)).toEqual(before);
  });
});

test.describe("SRE lead: the on-call roster (D10-06)", () => {
  test.use({ storageState: storageStateFor("sre_lead") });

  test("puts a primary and a secondary on call and sets the secondary's Slack ID, each change audited", async ({ page }) => {
    await sql(`DELETE FROM oncall_shifts`);
    await page.goto("/oncall");
    await expect(page.getByTestId("oncall-now")).toContainText("Nobody is on the roster right now");
    const form = page.getByRole("form", { name: "Add a shift" });
    const now = new Date(Date.now() - 60_000);
    await form.getByLabel("Starts (UTC)").fill(now.toISOString().slice(0, 16));
    await form.getByLabel("Ends (UTC)").fill(new Date(now.getTime() + 12 * 3_600_000).toISOString().slice(0, 16));
    await form.getByLabel("Primary").selectOption({ label: "oncall · no Slack ID" });
    await form.getByLabel("Secondary").selectOption({ label: "sre_lead (second) · no Slack ID" });
    await form.getByRole("button", { name: "Add shift" }).click();
    await expect(page.getByTestId("oncall-now")).toContainText("Primary oncall");
    await expect(page.getByTestId("oncall-now")).toContainText("Secondary sre_lead (second)");

    await page.getByLabel("Slack member ID for sre_lead2@example.com").fill("u0second9");
    await page.getByRole("form", { name: "Slack member ID of sre_lead2@example.com" }).getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("oncall-now")).toContainText("Secondary sre_lead (second) · Slack U0SECOND9");
    await screenshot(page, "oncall-roster");

    const audit = await sql<{ action: string; actor_email: string }>(
      `SELECT action, actor_email FROM audit_log WHERE action LIKE 'roster.%' ORDER BY id DESC LIMIT 2`,
    );
    expect(audit).toEqual([
      { action: "roster.slack_id", actor_email: "sre_lead@example.com" },
      { action: "roster.shift_create", actor_email: "sre_lead@example.com" },
    ]);
  });
});

test.describe("who may do what", () => {
  test.use({ storageState: storageStateFor("pm") });

  test("is read-only and shows every action with its description and the seed it follows", async ({ page }) => {
    await page.goto("/roles");
    await expect(page.getByRole("note")).toContainText("Read-only.");
    const freeze = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /controls\.freeze_worker/ }) });
    await expect(freeze).toContainText("STOP: freeze one worker");
    await expect(freeze).toContainText("D10 §8 worker unhealthy → STOP, On-Call");
    await expect(freeze.getByLabel("oncall may", { exact: true })).toBeVisible();
    const unknown = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /incident\.accept_unknown/ }) });
    await expect(unknown.getByLabel("pm may", { exact: true })).toBeVisible();
    await expect(page.getByRole("textbox")).toHaveCount(0);
    await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
    await screenshot(page, "roles-matrix");
  });
});
