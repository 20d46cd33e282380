import { pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { apiKeyRoute } from "@/lib/http/api-route";
import { receiveUpload } from "@/lib/ingestion/receive-upload";
import { fileStore } from "@/lib/storage";

export const dynamic = "force-dynamic";

// Streams the body: this route must stay out of any proxy matcher (Next would buffer and truncate it).
export const POST = apiKeyRoute(async ({ apiKey, request }) => ({
  status: 201,
  body: await receiveUpload(pool(), fileStore(), apiKey, request, {
    maxBytes: env().UPLOAD_MAX_BYTES,
    concurrencyLimit: env().INGESTION_CONCURRENCY_LIMIT,
    workspaceShare: env().INGESTION_WORKSPACE_SHARE,
  }),
}));
