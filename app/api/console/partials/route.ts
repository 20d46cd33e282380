import { partialFiltersSchema } from "@/lib/alerts/alert.schema";
import { listPartialUploads } from "@/lib/alerts/partials";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, async ({ request }) => ({
  partials: await listPartialUploads(pool(), partialFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams))),
}));
