import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { closeRunbookExecution } from "@/lib/runbooks/runbook-executions";
import { closeExecutionSchema } from "@/lib/runbooks/runbook.schema";

// Every holder of execute_own passes here; the runbook's owner decides in the domain function (decideRunbook).
export const POST = consoleRoute({ permission: "runbook.execute_own", body: closeExecutionSchema, target: "runbook_execution" }, ({ user, body, params }) =>
  closeRunbookExecution(pool(), user, { ...body, executionId: params.id }),
);
