import { AuditView } from "@/components/audit-view";
import { auditFiltersSchema, listAudit } from "@/lib/console/list-audit";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const raw = Object.fromEntries(Object.entries(await searchParams).filter(([, v]) => typeof v === "string" && v !== ""));
  const filters = auditFiltersSchema.parse(raw);
  const query = Object.keys(raw).length ? `?${new URLSearchParams(raw)}` : "";
  return <AuditView query={query} initial={JSON.parse(JSON.stringify(await listAudit(pool(), filters)))} />;
}
