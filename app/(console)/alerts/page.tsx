import { AlertsView } from "@/components/alerts-view";
import { alertFiltersSchema } from "@/lib/alerts/alert.schema";
import { listAlerts } from "@/lib/alerts/list-alerts";
import { listPartialUploads } from "@/lib/alerts/partials";
import { decide } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const user = await requirePageUser();
  const raw = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === "string" && v !== ""));
  const parsed = alertFiltersSchema.safeParse(raw);
  const filters = parsed.success ? parsed.data : {};
  const query = parsed.success && Object.keys(raw).length ? `?${new URLSearchParams(raw)}` : "";
  const [alerts, partials] = await Promise.all([listAlerts(pool(), filters), listPartialUploads(pool(), { review: "pending" })]);
  return (
    <AlertsView
      query={query}
      initial={JSON.parse(JSON.stringify(alerts))}
      partials={JSON.parse(JSON.stringify(partials))}
      canAck={decide(user, "alert.acknowledge")}
      canAckPartial={decide(user, "partial.acknowledge")}
    />
  );
}
