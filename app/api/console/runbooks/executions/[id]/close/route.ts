import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { closeRunbookExecution } from "@/lib/runbooks/runbook-executions";
import { closeExecutionSchema } from "@/lib/runbooks/runbook.schema";

export const POST = consoleRoute({ permission: "runbook.execute", body: closeExecutionSchema, target: "runbook_execution" }, ({ user, body, params }) =>
  closeRunbookExecution(pool(), user, { ...body, executionId: params.id }),
);
