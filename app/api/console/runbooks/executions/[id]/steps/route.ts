import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { recordRunbookStep } from "@/lib/runbooks/runbook-executions";
import { recordStepSchema } from "@/lib/runbooks/runbook.schema";

// Every holder of execute_own passes here; the runbook's owner decides in the domain function (decideRunbook).
export const POST = consoleRoute({ permission: "runbook.execute_own", body: recordStepSchema, target: "runbook_execution" }, ({ user, body, params }) =>
  recordRunbookStep(pool(), user, { ...body, executionId: params.id }),
);
