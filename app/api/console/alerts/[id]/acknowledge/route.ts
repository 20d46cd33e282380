import { acknowledgeAlert } from "@/lib/alerts/alert-actions";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "alert.acknowledge", target: "alert" }, ({ user, params }) => acknowledgeAlert(pool(), user, params.id));
