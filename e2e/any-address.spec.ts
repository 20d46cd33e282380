import { baseURL } from "../playwright.config";
import { expect, test } from "./helpers";

// The same server, opened at 127.0.0.1 instead of localhost: sign-in, a console action and sign-out
// all stay on the address the user opened (no hop to another host, where the session cookie is not).
const at = (host: string) => baseURL.replace("localhost", host);

test.use({ storageState: { cookies: [], origins: [] } });

test("the console works when opened at 127.0.0.1: sign in and out without leaving that address", async ({ page }) => {
  const origin = at("127.0.0.1");
  await page.goto(`${origin}/uploads`);
  await expect(page).toHaveURL(new RegExp(`^${origin}/signin`));
  await page.getByLabel("Email").fill("oncall@example.com");
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("current-user")).toContainText("oncall@example.com");
  expect(new URL(page.url()).host).toBe(new URL(origin).host);

  // The session belongs to this address.
  const session = await page.request.get(`${origin}/api/auth/session`);
  expect((await session.json()).user.email).toBe("oncall@example.com");

  await page.getByRole("button", { name: /sign out/i }).click();
  await expect(page).toHaveURL(new RegExp(`^${origin}/signin`));
  await page.goto(`${origin}/`);
  await expect(page).toHaveURL(new RegExp(`^${origin}/signin`));
});
