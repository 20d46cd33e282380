import { listBreakers } from "@/lib/breakers/list-breakers";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, async () => ({ breakers: await listBreakers(pool()) }));
