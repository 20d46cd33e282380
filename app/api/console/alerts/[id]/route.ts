import { getAlertOrThrow } from "@/lib/alerts/list-alerts";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ params }) => getAlertOrThrow(pool(), params.id));
