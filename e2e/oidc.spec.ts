import type { Server } from "node:http";
import Provider from "oidc-provider";
import type { Browser } from "@playwright/test";
import { E2E_OIDC, baseURL } from "../playwright.config";
import { expect, sql, test } from "./helpers";

/**
 * SSO against a real OpenID Connect provider (oidc-provider with its development login and consent
 * pages), started here on the port the console is configured for. An account's login name is its `sub`.
 */
type Account = { email: string; email_verified: boolean };
const accounts = new Map<string, Account>();
let server: Server;

test.beforeAll(async () => {
  const provider = new Provider(E2E_OIDC.issuer, {
    clients: [{ client_id: E2E_OIDC.clientId, client_secret: E2E_OIDC.clientSecret, redirect_uris: [`${baseURL}/api/auth/callback/oidc`] }],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    cookies: { keys: ["e2e-oidc-cookie-key"] },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
  });
  server = await new Promise<Server>((resolve, reject) => {
    const listening: Server = provider.listen(E2E_OIDC.port, () => resolve(listening));
    listening.once("error", reject);
  });
});

test.afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const run = Date.now();
const consoleUser = async (email: string) => {
  await sql(`INSERT INTO users (id, email, roles) VALUES (gen_random_uuid(), $1, '{oncall}')`, [email]);
};
const oidcSubOf = async (email: string) => (await sql<{ oidc_sub: string | null }>(`SELECT oidc_sub FROM users WHERE email = $1`, [email]))[0].oidc_sub;

/** Signs in at the provider as `sub` in a fresh browser context, starting from the console's sign-in page. */
async function ssoSignIn(browser: Browser, sub: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: `Sign in with ${E2E_OIDC.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E_OIDC.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(sub);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((url) => url.origin === new URL(baseURL).origin);
  return { context, page };
}

test("a verified email links the SSO account on first sign-in; later sign-ins map by sub, whatever the email claim says", async ({ browser }) => {
  const email = `sso-ana-${run}@example.com`;
  const sub = `ana-${run}`;
  await consoleUser(email);
  accounts.set(sub, { email, email_verified: true });

  const first = await ssoSignIn(browser, sub);
  await expect(first.page.getByTestId("current-user")).toContainText(email);
  expect(await oidcSubOf(email)).toBe(sub);
  await first.context.close();

  // The provider now says another email — even a different console user's: the sub still decides.
  accounts.set(sub, { email: "viewer@example.com", email_verified: true });
  const second = await ssoSignIn(browser, sub);
  await expect(second.page.getByTestId("current-user")).toContainText(email);
  await expect(second.page.getByTestId("current-user")).not.toContainText("viewer@example.com");
  expect(await oidcSubOf("viewer@example.com")).toBeNull();
  await second.context.close();
});

test("an SSO account whose email the provider has not verified is refused with a clear message", async ({ browser }) => {
  const email = `sso-bo-${run}@example.com`;
  await consoleUser(email);
  accounts.set(`bo-${run}`, { email, email_verified: false });

  const { page, context } = await ssoSignIn(browser, `bo-${run}`);
  await expect(page).toHaveURL(/\/signin\?/);
  await expect(page.getByRole("alert")).toContainText("has not verified the email address of this SSO account");
  expect(await oidcSubOf(email)).toBeNull();
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await context.close();
});

test("an SSO account with no console user is refused", async ({ browser }) => {
  accounts.set(`zed-${run}`, { email: `zed-${run}@example.com`, email_verified: true });

  const { page, context } = await ssoSignIn(browser, `zed-${run}`);
  await expect(page).toHaveURL(/\/signin\?/);
  await expect(page.getByRole("alert")).toHaveText("Your SSO account has no access to this console; ask an admin to add you.");
  expect(await sql(`SELECT 1 FROM users WHERE email = $1`, [`zed-${run}@example.com`])).toEqual([]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await context.close();
});
