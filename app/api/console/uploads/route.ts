import { listUploads, parseUploadFilters } from "@/lib/uploads/list-uploads";
import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) => listUploads(pool(), parseUploadFilters(new URL(request.url).searchParams)));
