import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { timelineQuerySchema } from "@/lib/incidents/incident.schema";
import { loadIncidentReport } from "@/lib/incidents/incident-report";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, ({ request }) => {
  const q = timelineQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return loadIncidentReport(pool(), { incidentId: q.incident, from: q.from, to: q.to });
});
