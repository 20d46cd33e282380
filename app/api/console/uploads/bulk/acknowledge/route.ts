import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { bulkAcknowledgePartials } from "@/lib/alerts/bulk-acknowledge";
import { bulkAcknowledgeSchema } from "@/lib/uploads/bulk-actions";

export const POST = consoleRoute({ permission: "partial.acknowledge", body: bulkAcknowledgeSchema, target: "upload" }, ({ user, body }) =>
  bulkAcknowledgePartials(pool(), user, body),
);
