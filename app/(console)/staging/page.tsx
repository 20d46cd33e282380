import { StagingView } from "@/components/staging-view";
import { decide } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { stagingOverview } from "@/lib/console/staging";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function StagingPage() {
  const user = await requirePageUser();
  return (
    <StagingView
      initial={JSON.parse(JSON.stringify(await stagingOverview(pool())))}
      me={user.email}
      canRequest={decide(user, "cleanup.request")}
      canApprove={decide(user, "cleanup.approve")}
    />
  );
}
