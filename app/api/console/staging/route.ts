import { stagingOverview } from "@/lib/uploads/staging";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, () => stagingOverview(pool()));
