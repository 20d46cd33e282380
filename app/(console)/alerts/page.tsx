import { AlertsView } from "@/components/alerts-view";
import { alertFiltersSchema } from "@/lib/alerts/alert.schema";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { listPartialUploads } from "@/lib/alerts/partials";
import { decide, decideRunbook } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { findRunbook } from "@/lib/runbooks/load-runbooks";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user, searchParams }) => {
  const raw = Object.fromEntries(Object.entries(searchParams).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
  const parsed = alertFiltersSchema.safeParse(raw);
  const filters = parsed.success ? parsed.data : {};
  const query = parsed.success && Object.keys(raw).length ? `?${new URLSearchParams(raw)}` : "";
  const [alerts, partials] = await Promise.all([listAlerts(pool(), filters), listPartialUploads(pool(), { review: "all" })]);
  return (
    <AlertsView
      query={query}
      initial={JSON.parse(JSON.stringify(alerts))}
      partials={JSON.parse(JSON.stringify(partials))}
      canAck={decide(user, "alert.acknowledge")}
      canAckPartial={decide(user, "partial.acknowledge")}
      canRunPartialRunbook={decideRunbook(user, findRunbook("d10-02-partial-promotion")?.owner ?? "support_lead")}
    />
  );
});
