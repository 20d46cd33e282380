import { partialAcknowledgeSchema } from "@/lib/alerts/alert.schema";
import { acknowledgePartial } from "@/lib/alerts/partials";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "partial.acknowledge", body: partialAcknowledgeSchema, target: "upload" }, ({ user, body, params }) =>
  acknowledgePartial(pool(), user, params.id, body),
);
