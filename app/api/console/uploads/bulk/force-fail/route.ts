import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { bulkForceFail, bulkOperatorSchema } from "@/lib/uploads/bulk-actions";

export const POST = consoleRoute({ permission: "upload.force_fail", body: bulkOperatorSchema, target: "upload" }, ({ user, body }) =>
  bulkForceFail(pool(), user, body),
);
