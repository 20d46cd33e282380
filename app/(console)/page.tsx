import { OverviewView } from "@/components/overview-view";
import { overview } from "@/lib/console/overview";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async () => <OverviewView initial={JSON.parse(JSON.stringify(await overview(pool())))} />);
