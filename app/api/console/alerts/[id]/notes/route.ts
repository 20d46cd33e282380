import { addAlertNote } from "@/lib/alerts/alert-actions";
import { alertNoteSchema } from "@/lib/alerts/alert.schema";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "alert.acknowledge", body: alertNoteSchema, target: "alert" }, ({ user, body, params }) =>
  addAlertNote(pool(), user, params.id, body.body),
);
