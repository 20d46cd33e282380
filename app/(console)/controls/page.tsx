import { ControlsPanel } from "@/components/controls-view";
import { controlsView } from "@/lib/console/controls-view";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user }) => (
  <ControlsPanel initial={JSON.parse(JSON.stringify(await controlsView(pool(), user)))} />
));
