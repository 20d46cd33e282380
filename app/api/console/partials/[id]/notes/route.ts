import { alertNoteSchema } from "@/lib/alerts/alert.schema";
import { addPartialNote } from "@/lib/alerts/partials";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "partial.acknowledge", body: alertNoteSchema, target: "upload" }, ({ user, body, params }) =>
  addPartialNote(pool(), user, params.id, body.body),
);
