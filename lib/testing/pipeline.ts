import { readFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import path from "node:path";
import { Readable } from "node:stream";
import { createApiKey } from "@/lib/auth/api-keys";
import { pool, prisma } from "@/lib/db/client";
import { generateCsv, type GenerateOptions } from "./generate-file";
import { runParseWorker } from "@/lib/ingestion/parse-next-upload";
import { runPromoteWorker } from "@/lib/ingestion/promote-next-upload";
import { fileStore } from "@/lib/storage";
import type { UploadDto } from "@/lib/uploads/upload-dto";
import { serveRoutes } from "./http";
import * as uploadsRoute from "@/app/api/v1/uploads/route";
import * as uploadRoute from "@/app/api/v1/uploads/[id]/route";

export const FIXTURES = path.resolve("lib/testing/fixtures");
export const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

/** The client API over real HTTP. */
export async function startApi() {
  return serveRoutes([
    { method: "POST", pattern: "/api/v1/uploads", handler: uploadsRoute.POST },
    { method: "GET", pattern: "/api/v1/uploads/[id]", handler: uploadRoute.GET },
  ]);
}

/** The client API over real HTTP for the tests of one file: started before them, closed after. */
export function serveApiForTests() {
  let server: Awaited<ReturnType<typeof startApi>> | undefined;
  beforeAll(async () => {
    server = await startApi();
  });
  afterAll(() => server?.close());
  return {
    get url() {
      return server!.url;
    },
  };
}

export async function apiKeyFor(slug: string) {
  return (await createApiKey(prisma(), slug)).key;
}

export async function postUpload(
  baseUrl: string,
  key: string | null,
  file: Buffer | Uint8Array,
  fields: Record<string, string> = { workspace_id: "acme", platform: "meta" },
  fileName = "report.csv",
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("file", new Blob([new Uint8Array(file)]), fileName);
  const response = await fetch(`${baseUrl}/api/v1/uploads`, { method: "POST", body: form, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, headers: response.headers, body: (await response.json()) as UploadResponseBody };
}

/** POST /api/v1/uploads answers the upload (201/200) or an error body (4xx/5xx). */
export type UploadResponseBody = UploadDto & { error: { code: string; message: string; [detail: string]: unknown } };

export async function generated(options: GenerateOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of generateCsv(options) as Readable) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Runs parse and promote until neither finds work. */
export async function drainPipeline(today?: string) {
  for (let i = 0; i < 50; i++) {
    const parsed = await runParseWorker(pool(), fileStore(), { today });
    const promoted = await runPromoteWorker(pool());
    if (!parsed.uploads.length && !promoted.uploads.length) return;
  }
  throw new Error("pipeline did not settle");
}
