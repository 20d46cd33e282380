import Link from "next/link";
import { RunbookLogView } from "@/components/runbook-log-view";
import { pool } from "@/lib/db/client";
import { listRunbooks } from "@/lib/runbooks/load-runbooks";
import { listRunbookExecutions } from "@/lib/runbooks/runbook-executions";
import { parseExecutionFilters } from "@/lib/runbooks/runbook.schema";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ searchParams: params }) => {
  let filters;
  try {
    filters = parseExecutionFilters(params);
  } catch (error) {
    return (
      <p role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-red-800">
        Bad filter in the URL: {(error as Error).message} <Link className="underline" href="/runbooks/executions">
          Clear filters
        </Link>
      </p>
    );
  }
  const set = Object.entries(filters).filter(([, v]) => v !== undefined) as [string, string][];
  const query = set.length ? `?${new URLSearchParams(set)}` : "";
  const executions = await listRunbookExecutions(pool(), filters);
  return <RunbookLogView executions={JSON.parse(JSON.stringify(executions))} filters={filters} query={query} slugs={listRunbooks().map((r) => r.slug)} />;
});
