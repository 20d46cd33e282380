import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { bulkOperatorSchema, bulkResume } from "@/lib/uploads/bulk-actions";

export const POST = consoleRoute({ permission: "upload.resume", body: bulkOperatorSchema, target: "upload" }, ({ user, body }) =>
  bulkResume(pool(), user, body),
);
