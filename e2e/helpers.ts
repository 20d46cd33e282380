import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
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

/** The demo API key that the launcher generated for this run's data folder. */
export function demoApiKey(): string {
  return JSON.parse(readFileSync(".data/e2e/secrets.json", "utf8")).DEMO_API_KEY;
}

/** A small Meta export, different every call (so its checksum is new); `bad` adds one invalid row. */
export function metaCsv(options: { bad?: boolean } = {}): Buffer {
  const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const lines = [
    "Day,Campaign ID,Campaign name,Amount spent (USD),Impressions,Link clicks",
    `2024-03-01,${id},Spring ${id},12.50,1000,20`,
    `2024-03-02,${id},Spring ${id},13.75,1100,25`,
  ];
  if (options.bad) lines.push(`2024-03-03,${id},Spring ${id},-1,1000,20`);
  return Buffer.from(lines.join("\n") + "\n");
}

export async function apiUpload(request: APIRequestContext, file: Buffer, fields: Record<string, string> = { workspace_id: "acme", platform: "meta" }) {
  const response = await request.post("/api/v1/uploads", {
    headers: { authorization: `Bearer ${demoApiKey()}` },
    multipart: { ...fields, file: { name: "report.csv", mimeType: "text/csv", buffer: file } },
  });
  return { status: response.status(), body: await response.json() };
}

export async function uploadStatus(id: string): Promise<string> {
  return (await sql<{ status: string }>(`SELECT status FROM uploads WHERE id = $1`, [id]))[0].status;
}

/** Runs an operator action: opens its form, fills Reason and Incident ID, confirms. */
export async function operatorAction(page: Page, label: string, reason: string, incidentId: string) {
  await page.getByRole("button", { name: label, exact: true }).click();
  const form = page.getByRole("form", { name: label });
  await form.getByLabel("Reason", { exact: true }).fill(reason);
  await form.getByLabel("Incident ID", { exact: true }).fill(incidentId);
  await form.getByRole("button", { name: `Confirm: ${label}` }).click();
}
