import { LaunchView } from "@/components/launch-view";
import { decide } from "@/lib/auth/permissions";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";
import { launchPage } from "@/lib/launch/launch-page";
import { fileStore } from "@/lib/storage";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user }) => {
  const initial = JSON.parse(JSON.stringify(await launchPage(pool(), fileStore())));
  return <LaunchView initial={initial} canCheck={decide(user, "launch.check")} canDecide={decide(user, "launch.decide")} />;
});
