import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { E2E_DATABASE_URL } from "../playwright.config";
import { expectedCounts, generateCsv, type GenerateOptions } from "../lib/testing/generate-file";
import { apiUpload, expect, operatorAction, screenshot, sql, storageStateFor, test, uploadStatus } from "./helpers";

const LEASE_SECONDS = 120;

async function generatedFile(options: GenerateOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of generateCsv(options)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A parse worker in its own process on the e2e database, holding `id` (see lib/testing/stuck-worker-child.ts). */
async function startWorker(id: string): Promise<{ child: ChildProcess; workerId: string }> {
  const secrets = JSON.parse(readFileSync(".data/e2e/secrets.json", "utf8"));
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/testing/stuck-worker-child.ts", id], {
    env: {
      ...process.env,
      ...secrets,
      DATABASE_URL: E2E_DATABASE_URL,
      DATA_DIR: ".data/e2e",
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
      BATCH_SIZE: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const workerId = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const match = /"workerId":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`worker child exited (${code}) before claiming: ${stderr}`)));
  });
  return { child, workerId };
}

const ledger = async (id: string) =>
  (
    await sql<{
      status: string;
      parsed_records: number;
      total_rows: number;
      valid_rows: number;
      invalid_rows: number;
      ignored_rows: number;
      locked_by: string | null;
    }>(`SELECT status::text AS status, parsed_records, total_rows, valid_rows, invalid_rows, ignored_rows, locked_by FROM uploads WHERE id = $1`, [id])
  )[0];

async function setParseFrozen(page: Page, frozen: boolean, incident: string) {
  await page.goto("/controls");
  const label = frozen ? "Freeze parse worker" : "Unfreeze parse worker";
  await operatorAction(page, label, `${label} for the stuck-upload test`, incident);
  await expect(page.getByTestId("worker-parse")).toContainText(frozen ? "FROZEN" : "running");
}

test.describe("on-call resumes an upload whose worker was killed mid-parse (D10-10)", () => {
  test("the lease is released, the next worker resumes from the checkpoint at once, and nothing is lost or counted twice", async ({ browser, request }) => {
    test.setTimeout(180_000);
    const file: GenerateOptions = { platform: "meta", rows: 300_000, seed: Date.now() % 100_000 };
    const want = expectedCounts(file);
    const sre = await browser.newPage({ storageState: storageStateFor("sre_lead") });
    // Hold new uploads in pending so that the worker child, not the console's own scheduler, claims this one.
    await setParseFrozen(sre, true, "INC-7001");
    const created = await apiUpload(request, await generatedFile(file));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const { child, workerId } = await startWorker(id);
    await setParseFrozen(sre, false, "INC-7001");
    await sre.close();

    // Kill it for real once it has committed a checkpoint, well before the end of the file.
    await expect.poll(async () => (await ledger(id)).parsed_records, { timeout: 60_000, intervals: [50] }).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const killed = await ledger(id);
    expect(killed.status).toBe("processing");
    expect(killed.locked_by).toBe(workerId);
    expect(killed.parsed_records).toBeLessThan(want.totalRows);
    // The console's workers leave it alone: the dead worker's lease runs for another two minutes.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await ledger(id)).locked_by).toBe(workerId);

    const page = await browser.newPage({ storageState: storageStateFor("oncall") });
    await page.goto(`/uploads/${id}`);
    await expect(page.getByTestId("lease")).toContainText(workerId);
    const actions = page.getByRole("region", { name: "Actions" });
    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await expect(page.getByRole("form", { name: "Resume" }).getByTestId("plan")).toContainText(
      `Releases the lease of ${workerId}; the next parse worker claims it at once`,
    );
    await screenshot(page, "upload-detail-resume-preview");
    await page.getByRole("button", { name: "Cancel" }).click();
    const resumedAt = Date.now();
    await operatorAction(page, "Resume", "parse pod was OOM-killed mid-file", "INC-7002");
    await expect(actions.getByRole("status")).toContainText("Lease released; the next worker resumes from record");

    // "At once": completed long before the dead lease would have expired.
    await expect.poll(() => uploadStatus(id), { timeout: 60_000 }).toBe("completed");
    expect(Date.now() - resumedAt).toBeLessThan((LEASE_SECONDS / 2) * 1000);
    const done = await ledger(id);
    expect({ total: done.total_rows, valid: done.valid_rows, invalid: done.invalid_rows, ignored: done.ignored_rows }).toEqual({
      total: want.totalRows,
      valid: want.validRows,
      invalid: want.invalidRows,
      ignored: want.ignoredRows,
    });
    const staged = await sql(`SELECT count(*)::int AS n, count(DISTINCT line_no)::int AS lines FROM staging_rows WHERE upload_id = $1`, [id]);
    expect(staged[0]).toEqual({ n: want.validRows, lines: want.validRows });

    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("completed");
    await expect(page.getByRole("region", { name: "Timeline" })).toContainText(`Resume: released the lease of ${workerId} — parse pod was OOM-killed mid-file`);
    await screenshot(page, "upload-detail-resumed");
    const audit = await sql(`SELECT actor_email, target_id, before, outcome FROM audit_log WHERE action = 'upload.resume' AND incident_id = 'INC-7002'`);
    expect(audit).toEqual([
      { actor_email: "oncall@example.com", target_id: id, before: expect.objectContaining({ lockedBy: workerId, status: "processing" }), outcome: "ok" },
    ]);
    await page.close();
  });
});

/** Uploads stuck in processing, their dead worker's lease still running, named `<prefix>-<n>.csv`. */
async function stuckUploads(prefix: string, n: number): Promise<string[]> {
  const rows = await sql<{ id: string }>(
    `INSERT INTO uploads (id, workspace_id, platform, source, file_name, size_bytes, sha256, storage_key, status, locked_by, lease_expires_at, parsed_records, created_at, updated_at, started_at)
     SELECT gen_random_uuid(), w.id, 'meta', 'api', $1 || '-' || g || '.csv', 100, md5(random()::text), 'missing', 'processing',
            'dead-worker-' || g, now() + interval '1 hour', 4000 * g, now() - interval '50 minutes' + g * interval '1 second', now() - interval '45 minutes', now() - interval '45 minutes'
       FROM workspaces w, generate_series(1, $2::int) g WHERE w.slug = 'acme' ORDER BY g RETURNING id`,
    [prefix, n],
  );
  return rows.map((r) => r.id);
}

test.describe("bulk actions on the uploads list", () => {
  test.use({ storageState: storageStateFor("oncall") });

  test("select the filtered uploads, preview, force-fail with one reason; one that moved meanwhile is reported, not overwritten", async ({ page }) => {
    const prefix = `bulk-${Date.now()}`;
    const [a, b, c] = await stuckUploads(prefix, 3);
    await page.goto(`/uploads?q=${prefix}&sort=file&dir=asc`);
    await expect(page.getByRole("link", { name: `${prefix}-3.csv` })).toBeVisible();
    await page.getByRole("checkbox", { name: "Select all on this page" }).check();
    await expect(page.getByTestId("bulk-count")).toHaveText("3 selected");
    await page.getByRole("button", { name: "Preview: Force-fail" }).click();
    await expect(page.getByTestId("bulk-summary")).toHaveText("Force-fail: 3 of 3 will change; 0 will be left as they are.");
    await expect(page.getByTestId(`bulk-plan-${a}`)).toContainText("Fails it from processing (FORCE_FAILED)");
    await screenshot(page, "uploads-bulk-preview");

    // Another operator's action or a worker moves c on after the preview was computed.
    await sql(`UPDATE uploads SET status = 'completed', locked_by = NULL, lease_expires_at = NULL WHERE id = $1`, [c]);
    const form = page.getByRole("form", { name: "Confirm bulk action" });
    await form.getByLabel("Reason").fill("client sent a broken export");
    await form.getByLabel("Incident ID").fill("INC-7101");
    await form.getByRole("button", { name: "Confirm: Force-fail 3 uploads" }).click();
    await expect(page.getByTestId("bulk-results")).toContainText("2 done, 1 changed meanwhile (left untouched), 0 refused.");
    await expect(page.getByTestId(`bulk-result-${c}`)).toContainText("The upload is now completed, not processing");
    await screenshot(page, "uploads-bulk-results");
    expect(await Promise.all([a, b, c].map(uploadStatus))).toEqual(["failed", "failed", "completed"]);
    const audit = await sql<{ target_id: string }>(
      `SELECT target_id FROM audit_log WHERE action = 'upload.force_fail' AND incident_id = 'INC-7101' AND outcome = 'ok' ORDER BY id`,
    );
    expect(audit.map((r) => r.target_id)).toEqual([a, b]);
  });

  test("all uploads matching the filter, across pages, resumed at once", async ({ page }) => {
    const prefix = `bulkall-${Date.now()}`;
    const ids = await stuckUploads(prefix, 12);
    await page.goto(`/uploads?q=${prefix}&pageSize=10`);
    // Newest first: 12 … 3 on the first page, 2 and 1 on the second.
    await page.getByRole("checkbox", { name: `Select ${prefix}-12.csv` }).check();
    await page.getByRole("button", { name: "Select all 12 matching the filter" }).click();
    await expect(page.getByTestId("bulk-count")).toHaveText("All 12 matching");
    await page.getByRole("button", { name: "Preview: Resume" }).click();
    await expect(page.getByTestId("bulk-summary")).toHaveText("Resume: 12 of 12 will change; 0 will be left as they are.");
    await expect(page.getByTestId(`bulk-plan-${ids[1]}`)).toContainText(
      "Releases the lease of dead-worker-2; the next parse worker claims it at once and resumes from record 8,000",
    );
    const form = page.getByRole("form", { name: "Confirm bulk action" });
    await form.getByLabel("Reason").fill("parse pods restarted after the node failure");
    await form.getByLabel("Incident ID").fill("INC-7102");
    await form.getByRole("button", { name: "Confirm: Resume 12 uploads" }).click();
    await expect(page.getByTestId("bulk-results")).toContainText("12 done");
    expect(await sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'upload.resume' AND incident_id = 'INC-7102'`)).toEqual([{ n: 12 }]);
    // Their leases are gone (the console's workers pick them up and fail them: their files are missing).
    expect(await sql(`SELECT count(*)::int AS n FROM uploads WHERE id = ANY($1::uuid[]) AND locked_by LIKE 'dead-worker-%'`, [ids])).toEqual([{ n: 0 }]);
  });
});

test.describe("viewer", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("may preview but not act: the buttons say why and a direct POST is refused with nothing changed", async ({ page }) => {
    const [id] = await stuckUploads(`viewer-${Date.now()}`, 1);
    await page.goto(`/uploads/${id}`);
    await expect(page.getByRole("button", { name: "Resume", exact: true })).toBeDisabled();
    const response = await page.request.post(`/api/console/uploads/${id}/resume`, {
      data: { expectedStatus: "processing", expectedLockedBy: "dead-worker-1", reason: "x", incidentId: "INC-1" },
      headers: { origin: new URL(page.url()).origin },
    });
    expect(response.status()).toBe(403);
    expect((await ledger(id)).locked_by).toBe("dead-worker-1");
  });
});
