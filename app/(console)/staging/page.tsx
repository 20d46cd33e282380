import { StagingView } from "@/components/staging-view";
import { decide } from "@/lib/auth/permissions";
import { stagingOverview } from "@/lib/uploads/staging";
import { pool } from "@/lib/db/client";
import { consolePage } from "@/lib/http/console-page";

export const dynamic = "force-dynamic";

export default consolePage({ permission: "console.view" }, async ({ user }) => (
  <StagingView
    initial={JSON.parse(JSON.stringify(await stagingOverview(pool())))}
    me={user.email}
    canRequest={decide(user, "cleanup.request")}
    canApprove={decide(user, "cleanup.approve")}
  />
));
