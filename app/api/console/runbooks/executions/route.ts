import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { listRunbookExecutions, startRunbookExecution } from "@/lib/runbooks/runbook-executions";
import { parseExecutionFilters, startExecutionSchema } from "@/lib/runbooks/runbook.schema";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) => listRunbookExecutions(pool(), parseExecutionFilters(new URL(request.url).searchParams)));
// Every holder of execute_own passes here; the runbook's owner decides in the domain function (decideRunbook).
export const POST = consoleRoute({ permission: "runbook.execute_own", body: startExecutionSchema, target: "runbook" }, ({ user, body }) => startRunbookExecution(pool(), user, body));
