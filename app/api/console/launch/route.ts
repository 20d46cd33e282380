import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { launchPage } from "@/lib/launch/launch-page";
import { fileStore } from "@/lib/storage";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, () => launchPage(pool(), fileStore()));
