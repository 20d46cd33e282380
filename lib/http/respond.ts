import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(
    JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
    {
      ...init,
      headers: { "content-type": "application/json", "cache-control": "no-store", ...init.headers },
    },
  );
}

/** The one place that turns an error into a response: AppError as is, zod as 400, anything else a logged 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error.details?.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(error.details.retryAfterSeconds));
    return json({ error: { code: error.code, message: error.message } }, { status: error.status, headers });
  }
  if (error instanceof ZodError) {
    const message = error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return json({ error: { code: "INVALID_REQUEST", message } }, { status: 400 });
  }
  const errorId = randomUUID();
  log.error("http.unhandled_error", { errorId, error: error instanceof Error ? error.stack : String(error) });
  return json({ error: { code: "INTERNAL", message: `Something went wrong (error id ${errorId}).` } }, { status: 500 });
}
