import { reasonSchema } from "@/lib/auth/admin.schema";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "users.manage", body: reasonSchema, target: "api_key" }, ({ user, body, params }) =>
  revokeApiKey(pool(), user, { key: { id: params.id }, reason: body.reason }),
);
