import { setAlertOutcome } from "@/lib/alerts/alert-actions";
import { alertOutcomeSchema } from "@/lib/alerts/alert.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "alert.acknowledge", body: alertOutcomeSchema, target: "alert" }, ({ user, body, params }) =>
  setAlertOutcome(pool(), user, params.id, body),
);
