import { AuditView } from "@/components/audit-view";
import { auditFiltersSchema, listAudit } from "@/lib/console/list-audit";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ searchParams }) => {
  const raw = Object.fromEntries(Object.entries(searchParams).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
  const filters = auditFiltersSchema.parse(raw);
  const query = Object.keys(raw).length ? `?${new URLSearchParams(raw)}` : "";
  return <AuditView query={query} initial={JSON.parse(JSON.stringify(await listAudit(pool(), filters)))} />;
});
