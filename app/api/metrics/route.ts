import { pool } from "@/lib/db/client";
import { bearerRoute } from "@/lib/http/bearer-route";
import { renderMetrics } from "@/lib/signals/metrics";

export const dynamic = "force-dynamic";

/** Prometheus text format, read from the database so that every instance reports the same numbers. */
export const GET = bearerRoute({ variable: "METRICS_TOKEN", whenUnset: "open" }, async () => {
  const { contentType, body } = await renderMetrics(pool());
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
