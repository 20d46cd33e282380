import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { executionLogCsv } from "@/lib/runbooks/runbook-executions";
import { parseExecutionFilters } from "@/lib/runbooks/runbook.schema";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, async ({ request }) => {
  const csv = await executionLogCsv(pool(), parseExecutionFilters(new URL(request.url).searchParams));
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="runbook-executions-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
});
