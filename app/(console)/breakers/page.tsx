import { BreakersView } from "@/components/breakers-view";
import { listBreakers } from "@/lib/breakers/list-breakers";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async () => (
  <BreakersView initial={JSON.parse(JSON.stringify(await listBreakers(pool(), { historyLimit: 20 })))} />
));
