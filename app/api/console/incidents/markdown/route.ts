import { pool } from "@/lib/db/client";
import { consoleRoute } from "@/lib/http/console-route";
import { timelineQuerySchema } from "@/lib/incidents/incident.schema";
import { loadIncidentReport } from "@/lib/incidents/incident-report";

export const dynamic = "force-dynamic";
export const GET = consoleRoute({ permission: "console.view" }, async ({ request }) => {
  const q = timelineQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { markdown } = await loadIncidentReport(pool(), { incidentId: q.incident, from: q.from, to: q.to });
  const file = q.incident.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(markdown, {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="postmortem-${file}.md"`,
      "cache-control": "no-store",
    },
  });
});
