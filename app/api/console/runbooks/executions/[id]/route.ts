import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { getRunbookExecutionOrThrow } from "@/lib/runbooks/runbook-executions";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ params }) => getRunbookExecutionOrThrow(pool(), params.id));
