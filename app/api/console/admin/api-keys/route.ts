import { apiKeyFiltersSchema } from "@/lib/auth/admin.schema";
import { apiKeysByWorkspace } from "@/lib/auth/api-keys";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "users.manage" }, ({ request }) =>
  apiKeysByWorkspace(pool(), apiKeyFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams))),
);
