import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import pg from "pg";
import { E2E_DATABASE_URL, baseURL } from "../playwright.config";

export const ROLES = ["viewer", "oncall", "sre_lead", "ingestion_owner", "pm", "support_lead", "eng_lead", "admin"] as const;
export type DemoRole = (typeof ROLES)[number] | "sre_lead2";

export const storageStateFor = (role: DemoRole) => `e2e/.auth/${role}.json`;

/** Direct database access, to assert what an action did (or did not) change. */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function signIn(page: Page, email: string, password = "demo-password") {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("current-user")).toContainText(email);
}

/** A console POST as the browser sends it (same Origin), using the page's session cookies. */
export function consolePost(request: APIRequestContext, path: string, data: unknown) {
  return request.post(path, { data, headers: { origin: baseURL } });
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

export { base as test, expect };
