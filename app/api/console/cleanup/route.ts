import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { previewCleanup, requestCleanup } from "@/lib/uploads/cleanup-requests";
import { cleanupRequestSchema } from "@/lib/uploads/upload-actions.schema";

export const dynamic = "force-dynamic";

/** Dry run: ?uploads=id,id → what would be deleted. */
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) =>
  previewCleanup(pool(), (new URL(request.url).searchParams.get("uploads") ?? "").split(",").filter(Boolean)),
);

export const POST = consoleRoute({ permission: "cleanup.request", body: cleanupRequestSchema, target: "staging" }, ({ user, body }) =>
  requestCleanup(pool(), user, body),
);
