import { OverviewView } from "@/components/overview-view";
import { overview } from "@/lib/console/overview";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  return <OverviewView initial={JSON.parse(JSON.stringify(await overview(pool())))} />;
}
