import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { errorResponse } from "@/lib/http/respond";
import { authorizeMetrics, renderMetrics } from "@/lib/signals/metrics";

export const dynamic = "force-dynamic";

/** Prometheus text format, read from the database so that every instance reports the same numbers. */
export async function GET(request: Request) {
  try {
    authorizeMetrics(request.headers.get("authorization"), env().METRICS_TOKEN);
    const { contentType, body } = await renderMetrics(pool());
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
