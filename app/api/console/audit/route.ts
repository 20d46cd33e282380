import { auditFiltersSchema, listAudit } from "@/lib/console/list-audit";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) =>
  listAudit(pool(), auditFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams))),
);
