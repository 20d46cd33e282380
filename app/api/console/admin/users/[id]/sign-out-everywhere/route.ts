import { reasonSchema } from "@/lib/auth/admin.schema";
import { signOutEverywhere } from "@/lib/auth/users";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const POST = consoleRoute({ permission: "users.manage", body: reasonSchema, target: "user" }, ({ user, body, params }) =>
  signOutEverywhere(pool(), user, { user: { id: params.id }, reason: body.reason }),
);
