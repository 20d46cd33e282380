import type { Browser, Page } from "@playwright/test";
import { consolePost, expect, screenshot, sql, storageStateFor, test, type DemoRole } from "./helpers";

const CHECKLIST = [
  "Client feedback reviewed: no blockers",
  "Support ticket volume: normal",
  "On-call burden: < 1 page/week",
  "Documentation: published",
  "Runbook: validated in production",
];

type OpenForm = { id: string; version: number; figures_hash: string; error_rate: string };
const openForm = async () =>
  (
    await sql<OpenForm>(`SELECT id, version, figures_hash, figures->'figures'->'errorRate'->>'display' AS error_rate FROM ga_signoffs WHERE status = 'open'`)
  )[0];
const formById = async (id: string) =>
  (
    await sql<OpenForm & { status: string }>(
      `SELECT id, version, status::text AS status, figures_hash, figures->'figures'->'errorRate'->>'display' AS error_rate FROM ga_signoffs WHERE id = $1`,
      [id],
    )
  )[0];

/** Uploads that failed just now, inside the form's window. */
async function failUploads(n: number) {
  await sql(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, error_code, error_text, created_at, failed_at, updated_at)
     SELECT gen_random_uuid(), w.id, 'meta', 'api', 'ga-e2e-failed.csv', 10, md5(random()::text || g::text), 'missing', 'failed', 'INVALID_FILE', 'e2e', now(), now(), now()
       FROM workspaces w, generate_series(1, $1) g WHERE w.slug = 'acme'`,
    [n],
  );
}

async function asRole(browser: Browser, role: DemoRole): Promise<Page> {
  const page = await browser.newPage({ storageState: storageStateFor(role) });
  await page.goto("/ga");
  return page;
}

async function signLine(page: Page, label: string, note: string) {
  await page.getByRole("button", { name: `Sign as ${label}`, exact: true }).click();
  const form = page.getByRole("form", { name: `Sign as ${label}` });
  await expect(form.getByLabel("Approve GA")).toBeChecked();
  await form.getByLabel("Note").fill(note);
  await form.getByRole("button", { name: `Confirm: Sign as ${label}` }).click();
}

test.describe.serial("GA sign-off", () => {
  test("the PM prepares the form, fills the checklist and signs the PM line, but cannot sign the SRE line", async ({ browser }) => {
    const page = await asRole(browser, "pm");
    await expect(page.getByRole("heading", { name: /Live figures for/ })).toBeVisible();
    await expect(page.getByTestId("live-errorRate")).toBeVisible();
    await page.getByRole("button", { name: "Prepare sign-off form", exact: true }).click();
    const form = page.getByRole("region", { name: "Sign-off form" });
    await expect(form.getByRole("heading", { name: /GA sign-off form/ })).toBeVisible();

    // Nobody can sign before the PM's checklist is in.
    await expect(page.getByRole("button", { name: "Sign as Product Manager", exact: true })).toBeDisabled();
    for (const item of CHECKLIST) {
      const group = page.getByRole("group", { name: item, exact: true });
      await group.getByLabel("Met", { exact: true }).check();
      await group.getByLabel("Evidence").fill(`reviewed for ${item.split(":")[0]}`);
    }
    await page.getByRole("button", { name: "Save checklist", exact: true }).click();
    await expect(page.getByText("Checklist saved.")).toBeVisible();

    // The SRE line is not the PM's: the button is disabled with the reason, and a direct POST is refused.
    const sreButton = page.getByRole("button", { name: "Sign as SRE Lead", exact: true });
    await expect(sreButton).toBeDisabled();
    await expect(page.getByTestId("line-sre_lead")).toContainText("requires sre_lead");
    await expect(page.getByRole("button", { name: "Sign as Engineering Lead", exact: true })).toBeDisabled();

    await signLine(page, "Product Manager", "Figures reviewed in the sign-off meeting; shortfalls discussed.");
    await expect(page.getByTestId("line-pm")).toContainText("Approved by");
    await expect(page.getByTestId("line-pm")).toContainText("pm@example.com");
    await expect(page.getByTestId("ga-decision")).toContainText("1 of 3 approvals");

    const current = await openForm();
    const response = await consolePost(page.request, `/api/console/ga/${current.id}/sign/sre_lead`, {
      vote: "approve",
      note: "not mine",
      expectedVersion: current.version,
    });
    expect(response.status()).toBe(403);
    expect((await sql(`SELECT line::text FROM ga_signatures WHERE signoff_id = $1 ORDER BY line`, [current.id])).map((r) => r.line)).toEqual(["pm"]);
    expect((await openForm()).version).toBe(current.version);
    const refusal = await sql(`SELECT actor_email FROM audit_log WHERE action = 'ga.sign_sre' AND outcome = 'refused' AND target_id = $1`, [current.id]);
    expect(refusal).toEqual([{ actor_email: "pm@example.com" }]);
    await screenshot(page, "ga-pm-signed");
    await page.close();
  });

  test("after all three sign, GA APPROVED is recorded and the signed snapshot ignores new failed uploads", async ({ browser }) => {
    const before = await openForm();
    const eng = await asRole(browser, "eng_lead");
    await expect(eng.getByTestId("line-pm")).toContainText("Approved by");
    const snapshotText = await eng.getByTestId("snapshot-errorRate").textContent();
    await signLine(eng, "Engineering Lead", "Engineering agrees; follow-ups tracked.");
    await expect(eng.getByTestId("line-eng_lead")).toContainText("eng_lead@example.com");
    await eng.close();

    // Uploads fail after two people signed: the live figures move, the form's do not.
    const sre = await asRole(browser, "sre_lead");
    const liveBefore = await sre.getByTestId("live-errorRate").textContent();
    await failUploads(3);
    await sre.reload();
    await expect(sre.getByTestId("live-errorRate")).not.toHaveText(liveBefore!);
    await expect(sre.getByTestId("snapshot-errorRate")).toHaveText(snapshotText!);
    await signLine(sre, "SRE Lead", "SRE agrees; on-call burden acceptable.");
    await expect(sre.getByTestId("ga-decision")).toContainText("Decision: GA APPROVED");
    // The history shows the decision without a reload.
    await expect(sre.getByRole("region", { name: "Sign-off history" })).toContainText("GA APPROVED");
    await screenshot(sre, "ga-approved");

    const decided = await formById(before.id);
    expect(decided.status).toBe("approved");
    expect(decided.figures_hash).toBe(before.figures_hash);
    expect(decided.error_rate).toBe(before.error_rate);
    const lines = await sql(`SELECT line::text, signer_email, vote::text, figures_hash FROM ga_signatures WHERE signoff_id = $1 ORDER BY signed_at`, [
      before.id,
    ]);
    expect(lines.map((l) => [l.line, l.signer_email, l.vote])).toEqual([
      ["pm", "pm@example.com", "approve"],
      ["eng_lead", "eng_lead@example.com", "approve"],
      ["sre_lead", "sre_lead@example.com", "approve"],
    ]);
    expect(new Set(lines.map((l) => l.figures_hash))).toEqual(new Set([before.figures_hash]));

    // More failures after the decision: the signed record still shows what it was signed on.
    await failUploads(5);
    await sre.goto("/ga");
    await expect(sre.getByRole("region", { name: "Sign-off history" })).toContainText("GA APPROVED");
    await sre.goto(`/ga/${before.id}`);
    await expect(sre.getByTestId("snapshot-errorRate")).toHaveText(snapshotText!);
    await expect(sre.getByTestId("ga-decision")).toContainText("GA APPROVED");
    expect((await formById(before.id)).figures_hash).toBe(before.figures_hash);

    await sre.goto(`/ga/${before.id}/print`);
    await expect(sre.getByTestId("print-decision")).toContainText("☑ GA APPROVED");
    await expect(sre.getByRole("heading", { name: "GA SIGN-OFF FORM" })).toBeVisible();
    await screenshot(sre, "ga-print");
    await sre.close();
  });
});
