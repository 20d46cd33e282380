import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, storageStateFor, test } from "./helpers";

/** Every console page, from the file system, with its dynamic segments filled in. */
function consolePaths(dir = "app/(console)", prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) return entry.name === "page.tsx" ? [prefix || "/"] : [];
    const segment = entry.name.startsWith("(")
      ? ""
      : entry.name.startsWith("[")
        ? entry.name === "[slug]"
          ? "d8-stuck-upload"
          : "00000000-0000-4000-8000-000000000000"
        : entry.name;
    return consolePaths(path.join(dir, entry.name), segment ? `${prefix}/${segment}` : prefix);
  });
}

test.describe("pages authorize themselves (not their layout)", () => {
  const paths = consolePaths();

  test("a signed-out visitor is sent to sign-in from every page, with the way back", async ({ request }) => {
    expect(paths.length).toBeGreaterThanOrEqual(15);
    for (const p of paths) {
      const response = await request.get(p, { maxRedirects: 0 });
      expect(response.status(), p).toBeGreaterThanOrEqual(300);
      expect(response.status(), p).toBeLessThan(400);
      const location = new URL(response.headers().location, "http://x");
      expect(location.pathname, p).toBe("/signin");
      if (p !== "/") expect(location.searchParams.get("callbackUrl"), p).toBe(p);
    }
  });

  test("a client-side navigation after the session is gone lands on sign-in, not on the page's data", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageStateFor("oncall") });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByTestId("current-user")).toContainText("oncall@example.com");
    await context.clearCookies();
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit" }).click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faudit/);
    await expect(page.getByRole("table")).toHaveCount(0);
    await context.close();
  });
});

test.describe("security headers", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("a page carries a nonce CSP that Next's own scripts satisfy, and is never framed", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = (await page.goto("/uploads"))!;
    const headers = response.headers();
    const csp = headers["content-security-policy"];
    const nonce = csp.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["strict-transport-security"]).toContain("max-age=");
    // Every script in the document carries this request's nonce …
    const scripts = await page.locator("script").evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).nonce));
    expect(scripts.length).toBeGreaterThan(0);
    for (const n of scripts) expect(n).toBe(nonce);
    // … so the page hydrates (a client filter works) with no violation reported.
    await expect(page.getByTestId("current-user")).toContainText("viewer@example.com");
    await page.reload();
    expect((await page.goto("/uploads"))!.headers()["content-security-policy"]).not.toBe(csp);
    expect(violations).toEqual([]);
  });

  test("an API answer carries the headers too, with a policy that loads nothing", async ({ request }) => {
    for (const url of ["/api/v1/uploads/not-an-id", "/health"]) {
      const headers = (await request.get(url)).headers();
      expect(headers["x-content-type-options"], url).toBe("nosniff");
      expect(headers["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
      expect(headers["content-security-policy"], url).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});
