import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { approveCleanup } from "@/lib/uploads/cleanup-requests";
import { cleanupApproveSchema } from "@/lib/uploads/upload-actions.schema";

export const POST = consoleRoute({ permission: "cleanup.approve", body: cleanupApproveSchema, target: "cleanup" }, ({ user, body, params }) =>
  approveCleanup(pool(), user, { ...body, requestId: params.id }),
);
