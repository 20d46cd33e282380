import { execFile } from "node:child_process";
import type { Browser, Page } from "@playwright/test";
import { E2E_DATABASE_URL } from "../playwright.config";
import { consolePost, expect, metaCsv, screenshot, signIn, sql, storageStateFor, test } from "./helpers";

const PASSWORD = "temp-password-123";

/** The operator's command line against this run's database: how users and keys come to exist. */
function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("npm", ["run", "--silent", "cli", "--", ...args], { env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL } }, (error, stdout, stderr) =>
      error ? reject(new Error(`cli ${args.join(" ")} failed: ${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

/** A user of this test only (the demo users' sessions are shared by the other specs). */
async function tempUser(role = "oncall") {
  const email = `temp-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  await cli("user", "add", "--email", email, "--role", role, "--password", PASSWORD);
  return email;
}

/** A browser of someone else: a fresh context, without the admin's session of this describe block. */
const otherBrowser = (browser: Browser) => browser.newPage({ storageState: { cookies: [], origins: [] } });

const userRow = async (email: string) =>
  (
    await sql<{ id: string; disabled_at: Date | null; disabled_by: string | null; session_version: number }>(
      `SELECT id, disabled_at, disabled_by, session_version FROM users WHERE email = $1`,
      [email],
    )
  )[0];

/** Opens a row action's form, gives the reason and confirms. */
async function act(page: Page, name: string, reason: string) {
  await page.getByRole("button", { name, exact: true }).click();
  const form = page.getByRole("form", { name });
  await form.getByLabel("Reason").fill(reason);
  await form.getByRole("button", { name: /^Confirm: / }).click();
  await expect(form).toBeHidden();
}

async function postUpload(page: Page, key: string) {
  const response = await page.request.post("/api/v1/uploads", {
    headers: { authorization: `Bearer ${key}` },
    multipart: { workspace_id: "acme", platform: "meta", file: { name: "report.csv", mimeType: "text/csv", buffer: metaCsv() } },
  });
  return { status: response.status(), body: await response.json() };
}

test.describe("admin", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("disables a user in the page; that user's open session is refused at its next request, page and API", async ({ page, browser }) => {
    const email = await tempUser();
    const theirs = await otherBrowser(browser);
    await signIn(theirs, email, PASSWORD);
    expect((await theirs.request.get("/api/console/overview")).status()).toBe(200);

    await page.goto("/admin");
    const row = page.getByTestId(`user-${email}`);
    await expect(row.getByTestId("user-status")).toHaveText("Active");
    await expect(row).not.toContainText("never"); // they signed in just now
    await act(page, `Disable ${email}`, "left the company");
    await expect(row.getByTestId("user-status")).toContainText("Disabled");
    await expect(row.getByTestId("user-status")).toContainText("by admin@example.com");
    await screenshot(page, "admin");
    expect(await userRow(email)).toMatchObject({ disabled_by: "admin@example.com", disabled_at: expect.any(Date) });
    const audit = await sql(`SELECT actor_email, reason, outcome FROM audit_log WHERE action = 'users.disable' AND target_id = $1`, [email]);
    expect(audit).toEqual([{ actor_email: "admin@example.com", reason: "left the company", outcome: "ok" }]);

    // Their browser still holds its session cookie: the next request is refused all the same.
    await theirs.reload();
    await expect(theirs).toHaveURL(/\/signin/);
    expect((await theirs.request.get("/api/console/overview")).status()).toBe(401);
    const { id } = await userRow(email);
    expect((await consolePost(theirs.request, `/api/console/admin/users/${id}/sign-out-everywhere`, { reason: "x" })).status()).toBe(401);
    // Signing in again does not get them in: whatever the sign-in answers, the console refuses them.
    await theirs.getByLabel("Email").fill(email);
    await theirs.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      theirs.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials")),
      theirs.getByRole("button", { name: "Sign in", exact: true }).click(),
    ]);
    expect((await theirs.request.get("/api/console/overview")).status()).toBe(401);
    await theirs.goto("/");
    await expect(theirs).toHaveURL(/\/signin/);
    await theirs.close();

    // Enabled again, they may sign in afresh.
    await act(page, `Enable ${email}`, "came back");
    await expect(row.getByTestId("user-status")).toHaveText("Active");
    const again = await otherBrowser(browser);
    await signIn(again, email, PASSWORD);
    await again.close();
  });

  test("sign out everywhere ends a user's open session, and they can sign in again", async ({ page, browser }) => {
    const email = await tempUser("viewer");
    const theirs = await otherBrowser(browser);
    await signIn(theirs, email, PASSWORD);
    const before = await userRow(email);

    await page.goto("/admin");
    await act(page, `Sign out everywhere ${email}`, "lost laptop");
    await expect.poll(async () => (await userRow(email)).session_version).toBe(before.session_version + 1);
    await expect(page.getByTestId(`user-${email}`).getByTestId("user-status")).toHaveText("Active");

    expect((await theirs.request.get("/api/console/overview")).status()).toBe(401);
    await theirs.goto("/uploads");
    await expect(theirs).toHaveURL(/\/signin/);
    await signIn(theirs, email, PASSWORD);
    await theirs.close();
  });

  test("cannot disable themselves: the button says why, and a direct POST is refused with nothing changed", async ({ page }) => {
    await page.goto("/admin");
    const row = page.getByTestId("user-admin@example.com");
    await expect(row.getByRole("button", { name: "Disable admin@example.com" })).toBeDisabled();
    await expect(row).toContainText("you cannot disable your own account");
    const me = await userRow("admin@example.com");
    const response = await consolePost(page.request, `/api/console/admin/users/${me.id}/disable`, { reason: "oops" });
    expect(response.status()).toBe(403);
    expect((await response.json()).error.code).toBe("SELF_DISABLE");
    expect(await userRow("admin@example.com")).toEqual(me);
  });

  test("revokes an API key in the page; the key then gets 401 on POST /api/v1/uploads", async ({ page }) => {
    const key = await cli("apikey", "create", "--workspace", "acme", "--name", `e2e revoke ${Date.now()}`);
    const prefix = key.slice(0, 11);
    expect((await postUpload(page, key)).status).toBe(201);

    await page.goto("/admin?workspace=acme");
    const row = page.getByTestId(`key-${prefix}`);
    await expect(row.getByTestId("key-status")).toHaveText("Active");
    await expect(row).not.toContainText("never"); // last used: the upload just now
    await expect(page.getByTestId("keys-globex")).toHaveCount(0);
    await act(page, `Revoke key ${prefix}`, "leaked in a ticket");
    await expect(row.getByTestId("key-status")).toContainText("Revoked");
    await expect(row.getByTestId("key-status")).toContainText("leaked in a ticket");

    const refused = await postUpload(page, key);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("UNAUTHORIZED");
    const stored = await sql(`SELECT revoked_by, revoke_reason FROM api_keys WHERE prefix = $1`, [prefix]);
    expect(stored).toEqual([{ revoked_by: "admin@example.com", revoke_reason: "leaked in a ticket" }]);
    expect(await sql(`SELECT actor_email, outcome FROM audit_log WHERE action = 'api_key.revoke' AND after->>'prefix' = $1`, [prefix])).toEqual([
      { actor_email: "admin@example.com", outcome: "ok" },
    ]);
  });
});

test.describe("non-admin", () => {
  test.use({ storageState: storageStateFor("sre_lead") });

  test("gets 403 on the admin page and its API, and the database did not change", async ({ page }) => {
    const target = await userRow("viewer@example.com");
    const key = (await sql<{ id: string; revoked_at: Date | null }>(`SELECT id, revoked_at FROM api_keys WHERE name = 'demo'`))[0];
    const refusalsBefore = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'users.manage' AND outcome = 'refused'`))[0].n;

    const pageResponse = await page.goto("/admin");
    expect(pageResponse?.status()).toBe(403);
    await expect(page.getByRole("table")).toHaveCount(0);
    expect((await page.request.get("/api/console/admin/users")).status()).toBe(403);
    expect((await page.request.get("/api/console/admin/api-keys")).status()).toBe(403);
    for (const path of [
      `/api/console/admin/users/${target.id}/disable`,
      `/api/console/admin/users/${target.id}/sign-out-everywhere`,
      `/api/console/admin/api-keys/${key.id}/revoke`,
    ]) {
      const response = await consolePost(page.request, path, { reason: "not mine to do" });
      expect(response.status(), path).toBe(403);
      expect((await response.json()).error.code).toBe("FORBIDDEN");
    }

    expect(await userRow("viewer@example.com")).toEqual(target);
    expect((await sql(`SELECT id, revoked_at FROM api_keys WHERE id = $1`, [key.id]))[0]).toEqual(key);
    expect(
      await sql(
        `SELECT 1 FROM audit_log WHERE action IN ('users.disable', 'users.sign_out_everywhere', 'api_key.revoke') AND actor_email = 'sre_lead@example.com'`,
      ),
    ).toEqual([]);
    const refusalsAfter = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'users.manage' AND outcome = 'refused'`))[0].n;
    expect(refusalsAfter - refusalsBefore).toBe(3);
  });
});
