import { BreakersView } from "@/components/breakers-view";
import { listBreakers } from "@/lib/breakers/list-breakers";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function BreakersPage() {
  return <BreakersView initial={JSON.parse(JSON.stringify(await listBreakers(pool(), { historyLimit: 20 })))} />;
}
