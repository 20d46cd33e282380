import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { savePostmortemSchema } from "@/lib/incidents/incident.schema";
import { savePostmortem } from "@/lib/incidents/postmortems";

export const POST = consoleRoute({ permission: "postmortem.write", body: savePostmortemSchema, target: "postmortem" }, ({ user, body }) =>
  savePostmortem(pool(), user, body),
);
