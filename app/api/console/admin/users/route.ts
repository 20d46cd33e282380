import { listUsers } from "@/lib/auth/users";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "users.manage" }, () => listUsers(pool()));
