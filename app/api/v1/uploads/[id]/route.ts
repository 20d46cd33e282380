import { pool } from "@/lib/db/client";
import { apiKeyRoute } from "@/lib/http/api-route";
import { getUploadForWorkspace } from "@/lib/uploads/get-upload";

export const dynamic = "force-dynamic";

export const GET = apiKeyRoute(async ({ apiKey, params }) => ({ body: await getUploadForWorkspace(pool(), apiKey.workspaceId, params.id) }));
