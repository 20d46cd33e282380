import { ControlsPanel } from "@/components/controls-view";
import { requirePageUser } from "@/lib/auth/session";
import { controlsView } from "@/lib/console/controls-view";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function ControlsPage() {
  const user = await requirePageUser();
  return <ControlsPanel initial={JSON.parse(JSON.stringify(await controlsView(pool(), user)))} />;
}
