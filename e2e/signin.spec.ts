import bcrypt from "bcryptjs";
import type { Browser, BrowserContextOptions, Page } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { expect, sql, test } from "./helpers";

const DEMO_PASSWORD = "demo-password";

async function newPage(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  return { context, page: await context.newPage() };
}

async function submit(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("without JavaScript the form signs in by POST and the password never appears in a URL", async ({ browser }) => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false });
  const requests: { method: string; url: string }[] = [];
  page.on("request", (request) => requests.push({ method: request.method(), url: request.url() }));

  await page.goto("/signin?callbackUrl=%2Fuploads");
  // As the server sent it, before any script: a POST to next-auth carrying its csrf token.
  const form = page.locator("form").filter({ has: page.getByLabel("Password") });
  await expect(form).toHaveAttribute("method", "post");
  await expect(form).toHaveAttribute("action", "/api/auth/callback/credentials");
  await expect(form.locator('input[name="csrfToken"]')).toHaveValue(/^[0-9a-f]{64}$/);

  await page.getByLabel("Email").fill("oncall@example.com");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await expect(page).toHaveURL(`${baseURL}/uploads`);
  await expect(page.getByTestId("current-user")).toContainText("oncall@example.com");

  expect(requests).toContainEqual({ method: "POST", url: `${baseURL}/api/auth/callback/credentials` });
  expect(requests.filter((r) => r.url.includes(DEMO_PASSWORD) || /[?&]password=/i.test(r.url))).toEqual([]);
  await context.close();
});

test("a wrong password without JavaScript comes back with the message", async ({ browser }) => {
  const { context, page } = await newPage(browser, { javaScriptEnabled: false, extraHTTPHeaders: { "x-forwarded-for": "198.51.100.200" } });
  await page.goto("/signin");
  await submit(page, "pm@example.com", "not the password");
  await expect(page).toHaveURL(/\/signin\?/);
  await expect(page.locator("main").getByRole("alert")).toHaveText("Wrong email or password.");
  await context.close();
});

for (const javaScriptEnabled of [true, false]) {
  test(`a hostile callbackUrl ends on a same-origin page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({ browser }) => {
    for (const hostile of ["javascript:alert(document.domain)", "https://elsewhere.example/phish", "//elsewhere.example/phish", "/\\elsewhere.example"]) {
      const { context, page } = await newPage(browser, { javaScriptEnabled });
      const dialogs: string[] = [];
      page.on("dialog", async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(hostile)}`);
      await submit(page, "viewer@example.com", DEMO_PASSWORD);
      await expect(page.getByTestId("current-user")).toContainText("viewer@example.com");
      expect(new URL(page.url()).origin, hostile).toBe(baseURL);
      expect(dialogs, hostile).toEqual([]);
      await context.close();
    }
  });
}

test("next-auth itself redirects a crafted post only to this origin", async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL });
  const { csrfToken } = await (await request.get("/api/auth/csrf")).json();
  for (const hostile of ["https://elsewhere.example/", "javascript:alert(1)", "//elsewhere.example"]) {
    const response = await request.post("/api/auth/callback/credentials", {
      form: { csrfToken, callbackUrl: hostile, email: "viewer@example.com", password: DEMO_PASSWORD },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(302);
    expect(new URL(response.headers().location, baseURL).origin, hostile).toBe(baseURL);
  }
  await request.dispose();
});

test("10 failed sign-ins lock the email and the client address for 15 minutes, with a clear message", async ({ browser }) => {
  const email = `throttled-${Date.now()}@example.com`;
  await sql(`INSERT INTO users (id, email, roles, password_hash) VALUES (gen_random_uuid(), $1, '{viewer}', $2)`, [
    email,
    await bcrypt.hash("right-password", 4),
  ]);
  // The console trusts the first X-Forwarded-For hop (set by the proxy in production); here the test is that proxy.
  const suffix = 1 + (Date.now() % 200);
  const attacker = await newPage(browser, { extraHTTPHeaders: { "x-forwarded-for": `203.0.113.${suffix}` } });
  const elsewhere = await newPage(browser, { extraHTTPHeaders: { "x-forwarded-for": `192.0.2.${suffix}` } });
  const throttled = /^Too many failed sign-ins for this account or from your network\. Try again in 1[45] minutes\.$/;

  await attacker.page.goto("/signin");
  for (let i = 0; i < 10; i++) {
    await submit(attacker.page, email, `guess-${i}`);
    await expect(attacker.page.locator("main").getByRole("alert")).toHaveText("Wrong email or password.");
  }
  // The right password no longer helps, from this address…
  await submit(attacker.page, email, "right-password");
  await expect(attacker.page.locator("main").getByRole("alert")).toHaveText(throttled);
  await expect(attacker.page.getByTestId("current-user")).toHaveCount(0);
  // …or from any other: the email is locked.
  await elsewhere.page.goto("/signin");
  await submit(elsewhere.page, email, "right-password");
  await expect(elsewhere.page.locator("main").getByRole("alert")).toHaveText(throttled);
  // The address is locked for every account…
  await submit(attacker.page, "sre_lead@example.com", DEMO_PASSWORD);
  await expect(attacker.page.locator("main").getByRole("alert")).toHaveText(throttled);
  // …while other addresses sign in as usual.
  await submit(elsewhere.page, "sre_lead@example.com", DEMO_PASSWORD);
  await expect(elsewhere.page.getByTestId("current-user")).toContainText("sre_lead@example.com");

  const rows = await sql<{ scope: string; failures: number }>(`SELECT scope, failures FROM sign_in_throttles WHERE key IN ($1, $2) ORDER BY scope`, [
    email,
    `203.0.113.${suffix}`,
  ]);
  expect(rows).toEqual([
    { scope: "address", failures: 10 },
    { scope: "email", failures: 10 },
  ]);
  await attacker.context.close();
  await elsewhere.context.close();
});

test("the sign-in page shows only its own messages, never text from the URL", async ({ page }) => {
  await page.goto(`/signin?error=${encodeURIComponent("Your account is suspended. Call +1 555 0100 now")}`);
  await expect(page.locator("main").getByRole("alert")).toHaveText("Sign-in failed. Try again.");
  await expect(page.getByText("555 0100")).toHaveCount(0);
});
