import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { bulkPreviewSchema, previewBulkAction } from "@/lib/uploads/bulk-actions";

/** What a bulk action would do to each selected upload; changes nothing. */
export const POST = consoleRoute({ permission: "console.view", body: bulkPreviewSchema }, ({ body }) => previewBulkAction(pool(), body));
