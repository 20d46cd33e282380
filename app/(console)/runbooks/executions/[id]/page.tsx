import { RunbookExecutionView } from "@/components/runbook-execution-view";
import { decide } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { getRunbookExecutionOrThrow } from "@/lib/runbooks/runbook-executions";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, params }) => {
  const execution = await getRunbookExecutionOrThrow(pool(), params.id);
  return <RunbookExecutionView initial={JSON.parse(JSON.stringify(execution))} canExecute={decide(user, "runbook.execute")} />;
});
