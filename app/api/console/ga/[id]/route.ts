import { pool } from "@/lib/db/client";
import { getGaSignoffOrThrow } from "@/lib/ga/ga-signoffs";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ params }) => getGaSignoffOrThrow(pool(), params.id));
