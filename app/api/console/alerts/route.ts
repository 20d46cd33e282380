import { alertFiltersSchema } from "@/lib/alerts/alert.schema";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) =>
  listAlerts(pool(), alertFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams))),
);
