import bcrypt from "bcryptjs";
import { ROLES, consolePost, expect, signIn, sql, storageStateFor, test } from "./helpers";

test.describe("sign-in and roles", () => {
  for (const role of ROLES) {
    test.describe(role, () => {
      test.use({ storageState: storageStateFor(role) });
      test(`${role} sees the console with its roles`, async ({ page }) => {
        await page.goto("/");
        await expect(page.getByTestId("current-user")).toContainText(`${role}@example.com`);
        await expect(page.getByTestId("current-user")).toContainText(role);
        await expect(page.getByRole("navigation", { name: "Console" })).toBeVisible();
      });
    });
  }

  test("a visitor without a session is sent to sign-in, and the API answers 401 JSON", async ({ page, request }) => {
    await page.goto("/uploads");
    await expect(page).toHaveURL(/\/signin/);
    const response = await request.post("/api/console/controls/mode", { data: {}, headers: { origin: new URL(page.url()).origin } });
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe("UNAUTHORIZED");
  });

  test("a wrong password is refused with a clear message", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill("oncall@example.com");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong" })).toHaveText("Wrong email or password.");
  });
});

test.describe("server-side authorization", () => {
  const mode = async () => (await sql<{ value: { mode: string }; version: number }>(`SELECT value, version FROM ingestion_controls WHERE key = 'mode'`))[0];

  test.describe("viewer", () => {
    test.use({ storageState: storageStateFor("viewer") });
    test("gets 403 from a state-changing action and the database is unchanged", async ({ page }) => {
      const before = await mode();
      const response = await consolePost(page.request, "/api/console/controls/mode", {
        mode: "draining",
        reason: "test",
        incidentId: "INC-1",
        expectedVersion: before.version,
      });
      expect(response.status()).toBe(403);
      expect((await response.json()).error.message).toContain("requires");
      expect(await mode()).toEqual(before);
      const refused = await sql(`SELECT * FROM audit_log WHERE actor_email = 'viewer@example.com' AND outcome = 'refused'`);
      expect(refused.length).toBeGreaterThan(0);
    });
  });

  test("a request from another origin is refused", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor("sre_lead") });
    const before = await mode();
    for (const origin of ["https://evil.example", "null"]) {
      const response = await context.request.post("/api/console/controls/mode", {
        data: { mode: "draining", reason: "x", incidentId: "INC-1", expectedVersion: before.version },
        headers: { origin },
      });
      expect(response.status()).toBe(403);
    }
    expect(await mode()).toEqual(before);
    await context.close();
  });

  test("a demotion takes effect on the next request", async ({ page }) => {
    const email = `demote-${Date.now()}@example.com`;
    await sql(`INSERT INTO users (id, email, roles, password_hash) VALUES (gen_random_uuid(), $1, '{oncall}', $2)`, [email, await bcrypt.hash("pw-123456", 4)]);
    await signIn(page, email, "pw-123456");
    const drain = async (version: number) =>
      consolePost(page.request, "/api/console/controls/mode", { mode: "draining", reason: "demotion test", incidentId: "INC-7", expectedVersion: version });
    const resume = async (version: number) =>
      consolePost(page.request, "/api/console/controls/mode", { mode: "running", reason: "demotion test", incidentId: "INC-7", expectedVersion: version });

    const first = await drain((await mode()).version);
    expect(first.status()).toBe(200);
    expect((await mode()).value.mode).toBe("draining");
    expect((await resume((await mode()).version)).status()).toBe(200);

    await sql(`UPDATE users SET roles = '{viewer}' WHERE email = $1`, [email]);
    const before = await mode();
    const second = await drain(before.version);
    expect(second.status()).toBe(403);
    expect(await mode()).toEqual(before);
    await page.reload();
    await expect(page.getByTestId("current-user")).toContainText("(viewer)");
  });
});
